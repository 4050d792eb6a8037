using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Flaat.Tests;

/// <summary>HTTP/1.1 requests written byte for byte over a socket: what an attacker sends and HttpClient will not.</summary>
internal static class RawHttp
{
    /// <summary>
    /// Sends <c>GET path</c> to a server on the loopback address with one <c>Authorization</c> line
    /// per value (UTF-8, not validated), and returns the status and the <c>WWW-Authenticate</c> value.
    /// </summary>
    public static async Task<(int Status, string? Challenge)> GetAsync(Uri server, string path, string[] authorization)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = tcp.GetStream();
        var request = new StringBuilder($"GET {path} HTTP/1.1\r\nHost: localhost\r\n");
        foreach (var value in authorization)
        {
            request.Append("Authorization: ").Append(value).Append("\r\n");
        }

        request.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answer = await reader.ReadToEndAsync(timeout.Token);
        var lines = answer.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var challenge = lines.FirstOrDefault(l => l.StartsWith("WWW-Authenticate:", StringComparison.OrdinalIgnoreCase))?["WWW-Authenticate:".Length..].Trim();
        return (status, challenge);
    }
}
