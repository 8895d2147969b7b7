using System.Text;
using Supervisor.Protocol.Handshake;

namespace Supervisor.Protocol.Extensions;

/// <summary>One extension parameter; <see cref="Value"/> is null when it has none, and a
/// quoted-string value is already unquoted.</summary>
public readonly record struct ExtensionParameter(string Name, string? Value);

/// <summary>
/// One element of a Sec-WebSocket-Extensions list (RFC 6455 §9.1):
/// <c>extension-token *( ";" extension-param )</c>, <c>extension-param = token [ "=" (token | quoted-string) ]</c>,
/// with optional whitespace around every part. The list itself is split by the
/// handshake validator, commas inside quotes kept.
/// </summary>
public sealed record ExtensionElement(string Name, IReadOnlyList<ExtensionParameter> Parameters)
{
    /// <summary>The element, or null if it is not well-formed (an offer we cannot read
    /// is an offer we decline, never a reason to refuse the handshake).</summary>
    public static ExtensionElement? Parse(string element)
    {
        var parts = SplitOutsideQuotes(element, ';');
        string name = parts[0].Trim(' ', '\t');
        if (!IsToken(name))
            return null;
        var parameters = new List<ExtensionParameter>(parts.Count - 1);
        foreach (string part in parts.Skip(1))
        {
            string text = part.Trim(' ', '\t');
            int equals = text.IndexOf('=');
            if (equals < 0)
            {
                if (!IsToken(text))
                    return null;
                parameters.Add(new ExtensionParameter(text, null));
                continue;
            }
            string paramName = text[..equals].TrimEnd(' ', '\t');
            string rawValue = text[(equals + 1)..].TrimStart(' ', '\t');
            if (!IsToken(paramName))
                return null;
            string? value = rawValue.StartsWith('"') ? Unquote(rawValue) : rawValue;
            // §9.1: a quoted-string value must still be a token once unquoted.
            if (value is null || !IsToken(value))
                return null;
            parameters.Add(new ExtensionParameter(paramName, value));
        }
        return new ExtensionElement(name, parameters);
    }

    public override string ToString()
    {
        var text = new StringBuilder(Name);
        foreach (var parameter in Parameters)
        {
            text.Append("; ").Append(parameter.Name);
            if (parameter.Value is not null)
                text.Append('=').Append(parameter.Value);
        }
        return text.ToString();
    }

    private static bool IsToken(string s) => s.Length > 0 && s.All(HttpChars.IsTokenChar);

    /// <summary>RFC 9110 §5.6.4: DQUOTE *( qdtext / quoted-pair ) DQUOTE, nothing after.</summary>
    private static string? Unquote(string quoted)
    {
        var value = new StringBuilder(quoted.Length);
        for (int i = 1; i < quoted.Length; i++)
        {
            char c = quoted[i];
            if (c == '"')
                return i == quoted.Length - 1 ? value.ToString() : null;
            if (c == '\\')
            {
                if (++i == quoted.Length)
                    return null;
                c = quoted[i];
            }
            value.Append(c);
        }
        return null; // no closing quote
    }

    private static List<string> SplitOutsideQuotes(string value, char separator)
    {
        var parts = new List<string>();
        int start = 0;
        bool quoted = false;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (quoted)
            {
                if (c == '\\') i++;
                else if (c == '"') quoted = false;
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == separator)
            {
                parts.Add(value[start..i]);
                start = i + 1;
            }
        }
        parts.Add(value[start..]);
        return parts;
    }
}
