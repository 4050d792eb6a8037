using System.Text;

namespace Flaat.Requirements;

/// <summary>Where a storage requirement takes the request's path from.</summary>
internal abstract class StoragePathSource
{
    /// <summary>The request's path, not yet normalised; <see langword="false"/> with a message when there is none.</summary>
    public abstract bool TryResolve(in RequirementContext context, out string path, out string problem);

    /// <summary>A path built from a template like <c>/data/{**path}</c>, filled with the request's route values.</summary>
    public sealed class Template : StoragePathSource
    {
        // Literal text and parameter names alternate: even index literal, odd index parameter.
        private readonly string[] _parts;
        private readonly string _text;

        public Template(string template)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(template);
            if (!template.StartsWith('/'))
            {
                throw new ArgumentException($"A storage path template must start with '/', got '{template}'.", nameof(template));
            }

            var parts = new List<string>();
            var literal = new StringBuilder();
            for (var i = 0; i < template.Length; i++)
            {
                var c = template[i];
                if (c == '}')
                {
                    throw new ArgumentException($"The storage path template '{template}' has a '}}' without '{{'.", nameof(template));
                }

                if (c != '{')
                {
                    literal.Append(c);
                    continue;
                }

                var end = template.IndexOf('}', i + 1);
                var inner = end < 0 ? null : template[(i + 1)..end];
                if (inner is null || inner.Contains('{', StringComparison.Ordinal))
                {
                    throw new ArgumentException($"The storage path template '{template}' has a '{{' without '}}'.", nameof(template));
                }

                // Route syntax: {name}, {*name}, {**name}, with constraints (:int), defaults (=x) or '?'.
                var name = inner.TrimStart('*');
                var cut = name.IndexOfAny([':', '=', '?']);
                name = (cut < 0 ? name : name[..cut]).Trim();
                if (name.Length == 0)
                {
                    throw new ArgumentException($"The storage path template '{template}' has a parameter without a name.", nameof(template));
                }

                parts.Add(literal.ToString());
                literal.Clear();
                parts.Add(name);
                i = end;
            }

            parts.Add(literal.ToString());
            _parts = [.. parts];
            _text = template;
        }

        public override bool TryResolve(in RequirementContext context, out string path, out string problem)
        {
            path = string.Empty;
            problem = string.Empty;
            if (_parts.Length == 1)
            {
                path = _parts[0];
                return true;
            }

            if (context.Request is null)
            {
                problem = "There is no request to read the storage path from";
                return false;
            }

            var builder = new StringBuilder(_parts[0]);
            for (var i = 1; i < _parts.Length; i += 2)
            {
                // No value at all: the route has no such parameter (the adapter gives an empty
                // catch-all as ""). Refused, never read as empty: a mistyped name would otherwise
                // check the template's prefix alone for every request.
                if (!context.TryGetRouteValue(_parts[i], out var value))
                {
                    problem = $"The request has no route value '{_parts[i]}' for the storage path (does the route have that parameter?)";
                    return false;
                }

                builder.Append(value).Append(_parts[i + 1]);
            }

            path = builder.ToString();
            return true;
        }

        public override string ToString() => _text;
    }

    /// <summary>A path computed from the adapter's request object.</summary>
    public sealed class Function<TRequest>(Func<TRequest, string?> path) : StoragePathSource
        where TRequest : class
    {
        public override bool TryResolve(in RequirementContext context, out string resolved, out string problem)
        {
            resolved = string.Empty;
            problem = string.Empty;
            if (context.Request is not TRequest request)
            {
                problem = $"The request is not a {typeof(TRequest).Name}, so the storage path cannot be read";
                return false;
            }

            if (path(request) is not { } value)
            {
                problem = "The request has no storage path";
                return false;
            }

            resolved = value;
            return true;
        }

        public override string ToString() => $"f({typeof(TRequest).Name})";
    }
}
