using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;

// The .RequireFlaat(...) conventions live in Flaat.AspNetCore, which every adapter package
// references, so a gRPC service gets them with Flaat.Grpc alone. This package keeps forwarding them
// so that an application referencing Flaat.MinimalApi keeps compiling and running unchanged.
[assembly: TypeForwardedTo(typeof(FlaatEndpointConventionBuilderExtensions))]
