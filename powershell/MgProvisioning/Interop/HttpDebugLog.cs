using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MgProvisioning
{
    /// <summary>
    /// Formats a request and its response for -Debug in the layout of Microsoft's Graph module: method, absolute URI,
    /// headers with names padded to 30 characters, and the body. Secrets never appear: Authorization and
    /// Proxy-Authorization headers are left out, and the values of access_token, client_secret and client_assertion
    /// in a JSON or form body are replaced by <c>&lt;redacted&gt;</c>.
    /// </summary>
    internal static class HttpDebugLog
    {
        /// <summary>Bodies longer than this many characters are shortened.</summary>
        internal const int MaxBodyLength = 10 * 1024;

        internal const string Redacted = "<redacted>";

        private const int HeaderNameWidth = 30;

        private static readonly Regex JsonSecret = new Regex(
            "(\"(?:access_token|client_secret|client_assertion)\"\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\"",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

        private static readonly Regex FormSecret = new Regex(
            "(?<=^|[&?\\s])((?:access_token|client_secret|client_assertion)=)[^&\\s]*",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

        /// <summary>Returns the request block.</summary>
        internal static string FormatRequest(string method, string uri, IEnumerable<KeyValuePair<string, string>> headers, string body)
        {
            var text = new StringBuilder(1024);
            text.Append("============================ HTTP REQUEST ============================\n\n");
            text.Append("HTTP Method:\n").Append(method).Append("\n\n");
            text.Append("Absolute Uri:\n").Append(uri).Append("\n\n");
            AppendHeaders(text, headers);
            text.Append("Body:\n").Append(FormatBody(body)).Append('\n');
            return text.ToString();
        }

        /// <summary>Returns the response block. <paramref name="statusName"/> is the status's name, such as OK or TooManyRequests.</summary>
        internal static string FormatResponse(int statusCode, string statusName, IEnumerable<KeyValuePair<string, string>> headers, string body)
        {
            var text = new StringBuilder(1024);
            text.Append("============================ HTTP RESPONSE ============================\n\n");
            text.Append("Status Code:\n")
                .Append(string.IsNullOrEmpty(statusName) ? statusCode.ToString(CultureInfo.InvariantCulture) : statusName)
                .Append("\n\n");
            AppendHeaders(text, headers);
            text.Append("Body:\n").Append(FormatBody(body)).Append('\n');
            return text.ToString();
        }

        /// <summary>Replaces the values of access_token, client_secret and client_assertion, then shortens the body to 10 KiB.</summary>
        internal static string FormatBody(string body)
        {
            if (string.IsNullOrEmpty(body))
            {
                return string.Empty;
            }

            string redacted = JsonSecret.Replace(body, "$1\"" + Redacted + "\"");
            redacted = FormSecret.Replace(redacted, "$1" + Redacted);
            if (redacted.Length <= MaxBodyLength)
            {
                return redacted;
            }

            return redacted.Substring(0, MaxBodyLength) + string.Format(
                CultureInfo.InvariantCulture, "\n... ({0} more characters not shown)", redacted.Length - MaxBodyLength);
        }

        /// <summary>Whether a header carries credentials and is never shown.</summary>
        internal static bool IsSecretHeader(string name)
        {
            return string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, "Proxy-Authorization", StringComparison.OrdinalIgnoreCase);
        }

        private static void AppendHeaders(StringBuilder text, IEnumerable<KeyValuePair<string, string>> headers)
        {
            text.Append("Headers:\n");
            if (headers != null)
            {
                foreach (KeyValuePair<string, string> header in headers)
                {
                    if (IsSecretHeader(header.Key))
                    {
                        continue;
                    }

                    text.Append(header.Key.PadRight(HeaderNameWidth)).Append(": ").Append(header.Value).Append('\n');
                }
            }

            text.Append('\n');
        }
    }
}
