namespace Flaat.Evaluation;

public static partial class BearerToken
{
    /// <summary>The name of the URI query parameter RFC 6750 section 2.3 defines: <c>access_token</c>.</summary>
    public const string QueryParameterName = "access_token";

    /// <summary>
    /// A request whose query string has more than one <c>access_token</c> parameter: refused as
    /// malformed (<c>invalid_request</c>), never joined or guessed at.
    /// </summary>
    public static PresentedToken SeveralQueryParameters { get; } = Presented(null, "The query string has more than one access_token parameter", TokenSource.QueryString, TokenGrammar.InvalidRequest);

    private static readonly PresentedToken EmptyQueryParameter = Presented(null, "The access_token query parameter is empty", TokenSource.QueryString, TokenGrammar.InvalidRequest);
    private static readonly PresentedToken QueryTooLong = Presented(null, TokenGrammar.TooLong, TokenSource.QueryString, TokenGrammar.InvalidToken);
    private static readonly PresentedToken QueryBadCharacters = Presented(null, TokenGrammar.BadCharacters, TokenSource.QueryString, TokenGrammar.InvalidToken);

    /// <summary>
    /// Reads the value of the <c>access_token</c> URI query parameter (RFC 6750 section 2.3), already
    /// decoded from the query string. The value must be exactly the token: the header's grammar
    /// (<c>b64token</c>, at most 16 384 characters) with no white space around it, since a query
    /// string has no optional white space to ignore. Never echoes the value in a refusal.
    /// </summary>
    /// <param name="value">The decoded parameter value; <see langword="null"/> when the parameter is absent.</param>
    /// <returns>The token with <see cref="TokenSource.QueryString"/>, or why there is none.</returns>
    public static PresentedToken FromQueryParameter(string? value)
    {
        if (value is null)
        {
            return new(Scheme, null, "No access token", TokenSource.QueryString, wasPresented: false);
        }

        if (value.Length == 0)
        {
            return EmptyQueryParameter;
        }

        // Not trimmed: white space around the value is outside the grammar, as any other character.
        return TokenGrammar.Problem(value) switch
        {
            null => Presented(value, null, TokenSource.QueryString),
            var problem when ReferenceEquals(problem, TokenGrammar.TooLong) => QueryTooLong,
            _ => QueryBadCharacters,
        };
    }
}
