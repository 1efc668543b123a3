using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text.Json;

namespace MgProvisioning
{
    /// <summary>
    /// Writes the request envelope that <c>mg_call_start</c> reads: the command, the parameter set and a generic
    /// JSON image of each bound value. The core interprets the values and reports what is wrong with them.
    /// </summary>
    internal static class RequestEnvelope
    {
        /// <summary>The time limit of one call in seconds, retries included.</summary>
        internal const int TimeoutSeconds = 300;

        /// <summary>Returns the envelope as NUL-terminated UTF-8. Throws <see cref="InputConversionException"/> for a value JSON cannot hold.</summary>
        internal static byte[] Build(ProvisionCommand command, string parameterSet, IDictionary<string, object> boundParameters)
        {
            var buffer = new MemoryStream(1024);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                var values = new PowerShellJsonWriter(writer);
                writer.WriteStartObject();
                writer.WriteString("command", command.Name);
                writer.WriteString("parameterSet", parameterSet);
                writer.WriteString("apiVersion", command.ApiVersion);
                writer.WriteString("root", command.Root);
                WriteBound(writer, values, "id", command.IdParameterName, boundParameters);
                WriteBound(writer, values, "synchronizationJobId", "SynchronizationJobId", boundParameters);
                WriteBound(writer, values, "inputObject", "InputObject", boundParameters);
                WriteBound(writer, values, "parameters", "Parameters", boundParameters);
                WriteBound(writer, values, "additionalProperties", "AdditionalProperties", boundParameters);
                WriteBound(writer, values, "bodyParameter", "BodyParameter", boundParameters);
                WriteHeaders(writer, boundParameters);
                writer.WriteNumber("timeoutSeconds", TimeoutSeconds);
                writer.WriteEndObject();
            }

            buffer.WriteByte(0);
            return buffer.ToArray();
        }

        private static void WriteBound(
            Utf8JsonWriter writer, PowerShellJsonWriter values, string member, string parameter, IDictionary<string, object> boundParameters)
        {
            writer.WritePropertyName(member);
            if (boundParameters.TryGetValue(parameter, out object value))
            {
                values.WriteValue(parameter, value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        /// <summary>Writes -Headers as an object of strings, converting each value as PowerShell converts it to [string].</summary>
        private static void WriteHeaders(Utf8JsonWriter writer, IDictionary<string, object> boundParameters)
        {
            writer.WriteStartObject("headers");
            if (boundParameters.TryGetValue("Headers", out object bound) && bound is IDictionary headers)
            {
                IDictionaryEnumerator entries = headers.GetEnumerator();
                while (entries.MoveNext())
                {
                    string name = LanguagePrimitives.ConvertTo<string>(entries.Key);
                    string value = LanguagePrimitives.ConvertTo<string>(entries.Value);
                    try
                    {
                        writer.WriteString(name, value);
                    }
                    catch (System.ArgumentException)
                    {
                        throw new InputConversionException(
                            "Headers." + name, "The header '" + name + "' has a name or value that is not valid UTF-16 (it has an unpaired surrogate).");
                    }
                }
            }

            writer.WriteEndObject();
        }
    }
}
