using System;
using System.Collections.Generic;
using System.Text.Json;

namespace MgProvisioning
{
    /// <summary>
    /// The outcome JSON of a finished call, read with System.Text.Json. Members the core leaves out
    /// (<c>request</c> before the request was built, <c>response</c> before a response arrived) read as absent.
    /// </summary>
    internal sealed class CallOutcome : IDisposable
    {
        private readonly JsonDocument _document;

        private CallOutcome(JsonDocument document)
        {
            _document = document;
            JsonElement root = document.RootElement;
            Status = (MgStatus)root.GetProperty("status").GetInt32();
            StatusName = GetString(root, "statusName") ?? NativeCore.GetStatusName(Status);
            Request = GetObject(root, "request");
            Response = GetObject(root, "response");
            Result = GetObject(root, "result");
            Error = GetObject(root, "error");
        }

        internal MgStatus Status { get; }

        internal string StatusName { get; }

        internal JsonElement? Request { get; }

        internal JsonElement? Response { get; }

        internal JsonElement? Result { get; }

        internal JsonElement? Error { get; }

        internal static CallOutcome Parse(string json)
        {
            return new CallOutcome(JsonDocument.Parse(json));
        }

        public void Dispose()
        {
            _document.Dispose();
        }

        /// <summary>Returns how many requests the call sent (the outcome's <c>attempts</c>), or 0 when the outcome has none.</summary>
        internal int GetAttempts()
        {
            return GetInt32(_document.RootElement, "attempts") ?? 0;
        }

        internal IEnumerable<string> GetWarnings()
        {
            if (_document.RootElement.TryGetProperty("warnings", out JsonElement warnings) && warnings.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement warning in warnings.EnumerateArray())
                {
                    if (warning.ValueKind == JsonValueKind.String)
                    {
                        yield return warning.GetString();
                    }
                }
            }
        }

        /// <summary>Returns the response headers as a case-insensitive dictionary, or null when no response arrived.</summary>
        internal Dictionary<string, string[]> GetResponseHeaders()
        {
            if (Response is not JsonElement response)
            {
                return null;
            }

            var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
            if (response.TryGetProperty("headers", out JsonElement members) && members.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty header in members.EnumerateObject())
                {
                    headers[header.Name] = ReadStrings(header.Value);
                }
            }

            return headers;
        }

        /// <summary>Returns the decoded result of a 2xx response, or null when the outcome has none.</summary>
        internal StringKeyStringValuePair GetResult()
        {
            if (Result is not JsonElement result)
            {
                return null;
            }

            var pair = new StringKeyStringValuePair
            {
                Key = GetString(result, "key"),
                Value = GetString(result, "value"),
            };
            if (result.TryGetProperty("additionalProperties", out JsonElement others) && others.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty member in others.EnumerateObject())
                {
                    pair.AdditionalProperties[member.Name] = ToObject(member.Value);
                }
            }

            return pair;
        }

        internal static string GetString(JsonElement? element, string name)
        {
            if (element is JsonElement value && value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out JsonElement member))
            {
                switch (member.ValueKind)
                {
                    case JsonValueKind.String:
                        return member.GetString();
                    case JsonValueKind.Null:
                    case JsonValueKind.Undefined:
                        return null;
                    default:
                        return member.GetRawText();
                }
            }

            return null;
        }

        internal static int? GetInt32(JsonElement? element, string name)
        {
            if (element is JsonElement value && value.TryGetProperty(name, out JsonElement member) && member.TryGetInt32(out int number))
            {
                return number;
            }

            return null;
        }

        internal static bool? GetBoolean(JsonElement? element, string name)
        {
            if (element is JsonElement value && value.TryGetProperty(name, out JsonElement member)
                && (member.ValueKind == JsonValueKind.True || member.ValueKind == JsonValueKind.False))
            {
                return member.GetBoolean();
            }

            return null;
        }

        internal static object GetValue(JsonElement? element, string name)
        {
            if (element is JsonElement value && value.TryGetProperty(name, out JsonElement member))
            {
                return ToObject(member);
            }

            return null;
        }

        /// <summary>
        /// Converts JSON to .NET: objects to ordinal <c>Dictionary&lt;string, object&gt;</c> in document order, arrays to
        /// <c>object[]</c>, integers to <c>long</c> (or <c>decimal</c>, then <c>double</c>, when they do not fit).
        /// </summary>
        internal static object ToObject(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var members = new Dictionary<string, object>(StringComparer.Ordinal);
                    foreach (JsonProperty member in element.EnumerateObject())
                    {
                        members[member.Name] = ToObject(member.Value);
                    }

                    return members;
                case JsonValueKind.Array:
                    var items = new object[element.GetArrayLength()];
                    int index = 0;
                    foreach (JsonElement item in element.EnumerateArray())
                    {
                        items[index++] = ToObject(item);
                    }

                    return items;
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.Number:
                    if (element.TryGetInt64(out long integer))
                    {
                        return integer;
                    }

                    if (element.TryGetDecimal(out decimal exact))
                    {
                        return exact;
                    }

                    return element.GetDouble();
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                default:
                    return null;
            }
        }

        private static JsonElement? GetObject(JsonElement root, string name)
        {
            if (root.TryGetProperty(name, out JsonElement member) && member.ValueKind == JsonValueKind.Object)
            {
                return member;
            }

            return null;
        }

        private static string[] ReadStrings(JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                return new[] { value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText() };
            }

            var strings = new string[value.GetArrayLength()];
            int index = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                strings[index++] = item.ValueKind == JsonValueKind.String
                    ? item.GetString()
                    : item.GetRawText();
            }

            return strings;
        }
    }
}
