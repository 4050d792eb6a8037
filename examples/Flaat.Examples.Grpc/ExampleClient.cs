using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace Flaat.Examples.Grpc;

/// <summary>
/// The example's client command: <c>call METHOD [--address URL]</c> with the token in
/// <c>ACCESS_TOKEN</c> (kept out of the process list). Prints the reply, or the gRPC status and
/// flaat's error body from the <c>flaat-error-bin</c> trailer.
/// </summary>
internal static class ExampleClient
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: call Info|Authenticated|AuthorizedLevel|AuthorizedVo [--address http://127.0.0.1:8082]   (token in ACCESS_TOKEN)");
            return 2;
        }

        var method = args[1];
        var address = args.SkipWhile(a => a != "--address").Skip(1).FirstOrDefault() ?? "http://127.0.0.1:8082";
        var token = Environment.GetEnvironmentVariable("ACCESS_TOKEN");
        using var channel = GrpcChannel.ForAddress(address);
        var client = new Example.ExampleClient(channel);
        var headers = new Metadata();
        if (!string.IsNullOrWhiteSpace(token))
        {
            headers.Add("authorization", "Bearer " + token);
        }

        try
        {
            var reply = method switch
            {
                "Info" => await client.InfoAsync(new Empty(), headers),
                "Authenticated" => await client.AuthenticatedAsync(new Empty(), headers),
                "AuthorizedLevel" => await client.AuthorizedLevelAsync(new Empty(), headers),
                "AuthorizedVo" => await client.AuthorizedVoAsync(new Empty(), headers),
                _ => null,
            };
            if (reply is null)
            {
                Console.Error.WriteLine($"unknown method '{method}': use Info, Authenticated, AuthorizedLevel or AuthorizedVo");
                return 2;
            }

            Console.WriteLine(reply.Message);
            return 0;
        }
        catch (RpcException e)
        {
            Console.WriteLine($"{e.StatusCode}: {e.Status.Detail}");
            var body = e.Trailers.GetValueBytes("flaat-error-bin");
            if (body is not null)
            {
                Console.WriteLine(System.Text.Encoding.UTF8.GetString(body));
            }

            return 1;
        }
    }
}
