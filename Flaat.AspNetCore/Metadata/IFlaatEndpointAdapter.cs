using Microsoft.AspNetCore.Http;

namespace Flaat.AspNetCore;

/// <summary>
/// An adapter package's claim on the endpoints it judges itself (Flaat.Grpc's interceptor judges
/// gRPC methods and answers with gRPC statuses). Registered in DI by the adapter package; Flaat's
/// HTTP gate is not put in front of an endpoint an adapter claims, and at start-up every endpoint
/// with a Flaat policy that an adapter claims is asked whether the adapter actually guards it. A
/// protected endpoint that neither the endpoint gate, MVC, nor an adapter guards stops the start, so
/// an adapter whose registration was forgotten leaves nothing open.
/// </summary>
public interface IFlaatEndpointAdapter
{
    /// <summary>Whether the adapter judges requests to an endpoint with this metadata.</summary>
    /// <param name="metadata">The endpoint's metadata (while it is built, or once built).</param>
    bool Claims(IEnumerable<object> metadata);

    /// <summary>
    /// For an endpoint the adapter claims and that has a Flaat policy: why its requirements would not
    /// be enforced (the message stops the application's start), or <see langword="null"/> when the adapter guards it.
    /// </summary>
    /// <param name="endpoint">The endpoint.</param>
    string? FindUnguarded(Endpoint endpoint);
}
