namespace Supervisor.Protocol.Handshake;

/// <summary>
/// RFC 9110 §5.6.1 lists: elements separated by commas with OWS around them, empty
/// elements ignored. Commas inside a quoted-string (§5.6.4) do not split, so an
/// extension offer such as <c>foo; bar="a,b"</c> stays whole.
/// </summary>
internal static class TokenList
{
    public static List<string> Split(string? value)
    {
        var items = new List<string>();
        if (value is null) return items;

        int start = 0;
        bool quoted = false;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (quoted)
            {
                if (c == '\\') i++;            // quoted-pair: the next char is literal
                else if (c == '"') quoted = false;
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                AddTrimmed(items, value[start..i]);
                start = i + 1;
            }
        }
        AddTrimmed(items, value[start..]);
        return items;
    }

    /// <summary>Token comparison is case-insensitive for the lists we read: Upgrade
    /// (RFC 9110 §7.8, "websocket" per RFC 6455 §4.2.1 item 3) and Connection (§7.6.1).</summary>
    public static bool Contains(string? value, string token)
    {
        foreach (var item in Split(value))
        {
            if (string.Equals(item, token, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private static void AddTrimmed(List<string> items, string item)
    {
        item = item.Trim(' ', '\t');
        if (item.Length > 0) items.Add(item);
    }
}
