using System.Text.Json.Serialization;

namespace Flaat.Issuers;

/// <summary>
/// Source-generated JSON for what the issuer code serialises (the issuer as a JSON string): no
/// reflection, so it works trimmed and under Native AOT. Everything Flaat reads is parsed by hand
/// (<see cref="ReadableJson"/>).
/// </summary>
[JsonSerializable(typeof(string))]
internal sealed partial class IssuerJson : JsonSerializerContext;
