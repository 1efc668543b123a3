using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Numerics;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace MgProvisioning
{
    /// <summary>A value that the user passed cannot be written as JSON. <see cref="Path"/> names where it sits.</summary>
    public sealed class InputConversionException : Exception
    {
        internal InputConversionException(string path, string message)
            : base(message)
        {
            Path = path;
        }

        /// <summary>The path of the value, such as <c>BodyParameter.parameters[0].subjects</c>.</summary>
        public string Path { get; }
    }

    /// <summary>
    /// Writes PowerShell values as generic JSON without interpreting them: dictionaries and objects become JSON
    /// objects with their keys as given and in enumeration order, lists become arrays, scalars stay scalars.
    /// The native core decides what the keys mean.
    /// </summary>
    internal sealed class PowerShellJsonWriter
    {
        /// <summary>The deepest nesting accepted below a parameter; a provisioning body needs fewer than ten levels.</summary>
        internal const int MaxDepth = 64;

        private readonly Utf8JsonWriter _writer;
        private readonly List<string> _path = new List<string>();
        private readonly HashSet<object> _containers = new HashSet<object>(ReferenceEqualityComparer.Instance);

        internal PowerShellJsonWriter(Utf8JsonWriter writer)
        {
            _writer = writer;
        }

        /// <summary>Writes <paramref name="value"/>, naming it <paramref name="rootName"/> in error messages.</summary>
        internal void WriteValue(string rootName, object value)
        {
            _path.Clear();
            _containers.Clear();
            _path.Add(rootName);
            Write(value);
        }

        private void Write(object value)
        {
            value = Unwrap(value);
            if (value == null)
            {
                _writer.WriteNullValue();
                return;
            }

            if (WriteScalar(value))
            {
                return;
            }

            if (value is SecureString || value is PSCredential)
            {
                throw Fail("is a {0}, which is never sent as JSON. Pass plain values instead.", value.GetType().Name);
            }

            if (value is ScriptBlock)
            {
                throw Fail("is a script block, which cannot be sent as JSON. Pass its result instead.");
            }

            if (_path.Count > MaxDepth)
            {
                throw Fail("is nested more than {0} levels deep.", MaxDepth);
            }

            if (!_containers.Add(value))
            {
                throw Fail("refers back to one of the objects that contain it, so it cannot be written as JSON.");
            }

            try
            {
                if (value is IDictionary dictionary)
                {
                    WriteDictionary(dictionary);
                }
                else if (value is PSObject customObject)
                {
                    WriteProperties(customObject);
                }
                else if (value is IEnumerable list)
                {
                    WriteList(list);
                }
                else
                {
                    WriteProperties(PSObject.AsPSObject(value));
                }
            }
            finally
            {
                _containers.Remove(value);
            }
        }

        /// <summary>Removes PSObject wrappers, but keeps the wrapper of a PSCustomObject because it stores the properties.</summary>
        private static object Unwrap(object value)
        {
            while (value is PSObject wrapper)
            {
                object inner = wrapper.BaseObject;
                if (inner is PSCustomObject)
                {
                    return wrapper;
                }

                if (ReferenceEquals(inner, wrapper))
                {
                    return wrapper;
                }

                value = inner;
            }

            return value == System.Management.Automation.Internal.AutomationNull.Value ? null : value;
        }

        private bool WriteScalar(object value)
        {
            switch (value)
            {
                case string text:
                    WriteString(text);
                    return true;
                case bool flag:
                    _writer.WriteBooleanValue(flag);
                    return true;
                case char character:
                    WriteString(character.ToString());
                    return true;
                case int number:
                    _writer.WriteNumberValue(number);
                    return true;
                case long number:
                    _writer.WriteNumberValue(number);
                    return true;
                case byte number:
                    _writer.WriteNumberValue(number);
                    return true;
                case sbyte number:
                    _writer.WriteNumberValue(number);
                    return true;
                case short number:
                    _writer.WriteNumberValue(number);
                    return true;
                case ushort number:
                    _writer.WriteNumberValue(number);
                    return true;
                case uint number:
                    _writer.WriteNumberValue(number);
                    return true;
                case ulong number:
                    _writer.WriteNumberValue(number);
                    return true;
                case decimal number:
                    _writer.WriteNumberValue(number);
                    return true;
                case double number:
                    WriteFloatingPoint(number);
                    return true;
                case float number:
                    WriteFloatingPoint(number);
                    return true;
                case BigInteger number:
                    _writer.WriteRawValue(number.ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
                    return true;
                case Guid guid:
                    _writer.WriteStringValue(guid.ToString("D"));
                    return true;
                case DateTime time:
                    _writer.WriteStringValue(time.ToString("o", CultureInfo.InvariantCulture));
                    return true;
                case DateTimeOffset time:
                    _writer.WriteStringValue(time.ToString("o", CultureInfo.InvariantCulture));
                    return true;
                case TimeSpan duration:
                    _writer.WriteStringValue(XmlConvert.ToString(duration));
                    return true;
                case Enum choice:
                    _writer.WriteStringValue(choice.ToString());
                    return true;
                case Uri address:
                    WriteString(address.OriginalString);
                    return true;
                case SwitchParameter flag:
                    _writer.WriteBooleanValue(flag.IsPresent);
                    return true;
                default:
                    return false;
            }
        }

        private void WriteString(string text)
        {
            try
            {
                _writer.WriteStringValue(text);
            }
            catch (ArgumentException)
            {
                throw Fail("is a string that is not valid UTF-16 (it has an unpaired surrogate).");
            }
        }

        private void WriteFloatingPoint(double number)
        {
            if (double.IsNaN(number) || double.IsInfinity(number))
            {
                throw Fail("is {0}, which JSON cannot represent.", number.ToString(CultureInfo.InvariantCulture));
            }

            _writer.WriteNumberValue(number);
        }

        private void WriteDictionary(IDictionary dictionary)
        {
            _writer.WriteStartObject();
            IDictionaryEnumerator entries = dictionary.GetEnumerator();
            while (entries.MoveNext())
            {
                object key = Unwrap(entries.Key);
                string name = key == null ? string.Empty : Convert.ToString(key, CultureInfo.InvariantCulture);
                WriteMember(name, entries.Value);
            }

            _writer.WriteEndObject();
        }

        private void WriteProperties(PSObject value)
        {
            _writer.WriteStartObject();
            foreach (PSPropertyInfo property in value.Properties)
            {
                if (!property.IsGettable)
                {
                    continue;
                }

                object member;
                try
                {
                    member = property.Value;
                }
                catch (GetValueException error)
                {
                    _path.Add("." + property.Name);
                    throw Fail("could not be read: {0}", error.InnerException?.Message ?? error.Message);
                }

                WriteMember(property.Name, member);
            }

            _writer.WriteEndObject();
        }

        private void WriteMember(string name, object member)
        {
            _writer.WritePropertyName(name);
            _path.Add("." + name);
            Write(member);
            _path.RemoveAt(_path.Count - 1);
        }

        private void WriteList(IEnumerable list)
        {
            _writer.WriteStartArray();
            int index = 0;
            foreach (object item in list)
            {
                _path.Add("[" + index.ToString(CultureInfo.InvariantCulture) + "]");
                Write(item);
                _path.RemoveAt(_path.Count - 1);
                index++;
            }

            _writer.WriteEndArray();
        }

        private InputConversionException Fail(string format, params object[] arguments)
        {
            var path = new StringBuilder();
            foreach (string segment in _path)
            {
                path.Append(segment);
            }

            string where = path.ToString();
            return new InputConversionException(where, "The value at '" + where + "' " + string.Format(CultureInfo.InvariantCulture, format, arguments));
        }
    }
}
