using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>Adds the Flaat filter to every action and binds <see cref="UserInfos"/> action parameters.</summary>
internal sealed class FlaatMvcOptionsSetup(IOptions<FlaatEndpointOptions> options) : IConfigureOptions<MvcOptions>
{
    public void Configure(MvcOptions mvc)
    {
        ArgumentNullException.ThrowIfNull(mvc);

        // Without this mark, Flaat's attributes stop the application (see FlaatMvcGuard).
        mvc.Conventions.Add(FlaatMvcGuard.Registered);
        if (options.Value.AddMvcFilter)
        {
            mvc.Filters.Add(new ServiceFilterAttribute<FlaatMvcFilter> { IsReusable = true });
        }

        mvc.ModelMetadataDetailsProviders.Insert(0, new UserInfosBinding());
        mvc.ModelBinderProviders.Insert(0, new UserInfosBinding());
    }

    /// <summary>
    /// Binds a <see cref="UserInfos"/> parameter to the user the Flaat filter (or scheme) found:
    /// <see langword="null"/> under optional authentication without a user. Its binding source is
    /// special, so <c>[ApiController]</c> never infers it from the body.
    /// </summary>
    private sealed class UserInfosBinding : IBindingMetadataProvider, IModelBinderProvider, IModelBinder
    {
        public void CreateBindingMetadata(BindingMetadataProviderContext context)
        {
            if (context.Key.ModelType == typeof(UserInfos))
            {
                context.BindingMetadata.BindingSource = BindingSource.Special;
            }
        }

        public IModelBinder? GetBinder(ModelBinderProviderContext context) =>
            context.Metadata.ModelType == typeof(UserInfos) ? this : null;

        public Task BindModelAsync(ModelBindingContext bindingContext)
        {
            bindingContext.Result = ModelBindingResult.Success(bindingContext.HttpContext.GetUserInfos());
            return Task.CompletedTask;
        }
    }
}
