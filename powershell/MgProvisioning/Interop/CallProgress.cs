using System;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;

namespace MgProvisioning
{
    /// <summary>
    /// Reports what a pending call is doing, from <c>mg_call_progress</c>: one verbose line each time the phase changes
    /// (sending, waiting for the rate limit, waiting before a retry), and a progress bar with the seconds left while a
    /// wait of more than one second runs. The caller polls it from its wait loop.
    /// </summary>
    internal sealed class CallProgressReporter
    {
        /// <summary>The progress bar's activity id; one call runs at a time per command, so one id is enough.</summary>
        private const int ActivityId = 7_001;

        /// <summary>Waits up to this long get a verbose line but no progress bar.</summary>
        private const double ProgressThresholdSeconds = 1.0;

        private readonly PSCmdlet _cmdlet;
        private readonly string _activity;
        private readonly RequestContext _settings;
        private long _sequence;
        private int _lastSendingReported;
        /// <summary>The status text of the wait that shows a progress bar, or null when none is shown.</summary>
        private string _progressStatus;

        internal CallProgressReporter(PSCmdlet cmdlet, string activity, RequestContext settings)
        {
            _cmdlet = cmdlet;
            _activity = activity;
            _settings = settings;
            VerboseEnabled = PreferenceCheck.IsEnabled(cmdlet, "Verbose", "VerbosePreference");
        }

        /// <summary>Whether verbose lines are written, so the caller polls from the start rather than after the first wait.</summary>
        internal bool VerboseEnabled { get; }

        /// <summary>Reads one progress JSON and reports a new phase or the seconds left of the current wait.</summary>
        internal void Update(string progressJson)
        {
            using (JsonDocument document = JsonDocument.Parse(progressJson))
            {
                JsonElement root = document.RootElement;
                long sequence = root.TryGetProperty("sequence", out JsonElement number) ? number.GetInt64() : 0;
                string phase = CallOutcome.GetString(root, "phase");
                double waitSeconds = GetDouble(root, "waitSeconds");
                double remainingSeconds = GetDouble(root, "remainingSeconds");
                bool waiting = phase == "pacing" || phase == "retryWait";

                // Sequence 0 is the placeholder before the core starts its work, so it is not reported.
                if (sequence != _sequence)
                {
                    _sequence = sequence;
                    Complete();
                    string status = Describe(phase, root, waitSeconds);
                    if (status != null && VerboseEnabled)
                    {
                        ReportMissedSending(phase, root);
                        _cmdlet.WriteVerbose(status);
                    }

                    if (waiting && waitSeconds > ProgressThresholdSeconds)
                    {
                        _progressStatus = status ?? phase;
                    }
                }

                // A new record each time, because the progress stream keeps the records it was given.
                if (_progressStatus != null && waiting)
                {
                    var record = new ProgressRecord(ActivityId, _activity, _progressStatus)
                    {
                        SecondsRemaining = (int)Math.Ceiling(remainingSeconds),
                        PercentComplete = waitSeconds > 0
                            ? Math.Clamp((int)((waitSeconds - remainingSeconds) * 100 / waitSeconds), 0, 100)
                            : 100,
                    };
                    _cmdlet.WriteProgress(record);
                }
            }
        }

        /// <summary>
        /// Writes the sending line of an attempt that started and ended between two polls, which a retry wait shows:
        /// the wait before attempt n means attempt n - 1 was sent.
        /// </summary>
        private void ReportMissedSending(string phase, JsonElement progress)
        {
            int attempt = CallOutcome.GetInt32(progress, "attempt") ?? 1;
            if (phase == "sending")
            {
                _lastSendingReported = attempt;
            }
            else if (phase == "retryWait" && _lastSendingReported < attempt - 1)
            {
                _lastSendingReported = attempt - 1;
                _cmdlet.WriteVerbose(DescribeSending(attempt - 1));
            }
        }

        /// <summary>
        /// Writes the sending line of the last attempt when it was too quick for the polls to see, so -Verbose shows
        /// it before the line with the answer. <paramref name="attempts"/> is the outcome's count of requests sent.
        /// </summary>
        internal void ReportLastAttempt(int attempts)
        {
            if (VerboseEnabled && attempts > 0 && _lastSendingReported < attempts)
            {
                _lastSendingReported = attempts;
                _cmdlet.WriteVerbose(DescribeSending(attempts));
            }
        }

        /// <summary>Completes the progress bar of a wait, if one is shown.</summary>
        internal void Complete()
        {
            if (_progressStatus == null)
            {
                return;
            }

            var record = new ProgressRecord(ActivityId, _activity, _progressStatus)
            {
                RecordType = ProgressRecordType.Completed,
                PercentComplete = 100,
            };
            _progressStatus = null;
            _cmdlet.WriteProgress(record);
        }

        private string Describe(string phase, JsonElement progress, double waitSeconds)
        {
            int attempt = CallOutcome.GetInt32(progress, "attempt") ?? 1;
            switch (phase)
            {
                case "sending":
                    return DescribeSending(attempt);
                case "pacing":
                    return string.Format(
                        CultureInfo.InvariantCulture,
                        "Waiting {0} s for the rate limit of {1} {2} per {3} s.",
                        FormatSeconds(waitSeconds),
                        _settings.PacingLimit,
                        _settings.PacingLimit == 1 ? "call" : "calls",
                        FormatSeconds(_settings.PacingWindow.TotalSeconds));
                case "retryWait":
                    int? statusCode = CallOutcome.GetInt32(progress, "statusCode");
                    return string.Format(
                        CultureInfo.InvariantCulture,
                        "Retrying after {0} s because the server answered {1}, retry {2} of {3}.",
                        FormatSeconds(waitSeconds),
                        statusCode.HasValue ? statusCode.Value.ToString(CultureInfo.InvariantCulture) : "an error",
                        attempt - 1,
                        _settings.MaxRetry);
                default:
                    return null;
            }
        }

        private string DescribeSending(int attempt)
        {
            return attempt <= 1
                ? "Sending the request."
                : string.Format(CultureInfo.InvariantCulture, "Sending the request again (attempt {0} of {1}).", attempt, _settings.MaxRetry + 1);
        }

        private static string FormatSeconds(double seconds)
        {
            return seconds.ToString("0.#", CultureInfo.InvariantCulture);
        }

        private static double GetDouble(JsonElement element, string name)
        {
            return element.TryGetProperty(name, out JsonElement member) && member.ValueKind == JsonValueKind.Number
                ? member.GetDouble()
                : 0;
        }
    }

    /// <summary>Reads whether a command's verbose or debug output is switched on, without writing anything.</summary>
    internal static class PreferenceCheck
    {
        /// <summary>
        /// Returns true when the switch (<c>-Verbose</c>, <c>-Debug</c>) was given as true, or, without it, when the
        /// preference variable that the command reads is neither SilentlyContinue nor Ignore.
        /// </summary>
        internal static bool IsEnabled(PSCmdlet cmdlet, string switchName, string preferenceVariable)
        {
            if (cmdlet.MyInvocation.BoundParameters.TryGetValue(switchName, out object bound))
            {
                return bound is SwitchParameter flag ? flag.IsPresent : LanguagePrimitives.IsTrue(bound);
            }

            object preference = cmdlet.GetVariableValue(preferenceVariable);
            if (preference == null)
            {
                return false;
            }

            if (preference is ActionPreference action)
            {
                return action != ActionPreference.SilentlyContinue && action != ActionPreference.Ignore;
            }

            string text = preference.ToString();
            return !string.Equals(text, "SilentlyContinue", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(text, "Ignore", StringComparison.OrdinalIgnoreCase);
        }
    }
}
