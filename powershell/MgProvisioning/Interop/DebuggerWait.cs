using System;
using ManagedDebugger = System.Diagnostics.Debugger;
using System.IO;
using System.Management.Automation;
using System.Threading;

namespace MgProvisioning
{
    /// <summary>
    /// -Break: waits until a debugger attaches to this process, then breaks into a managed debugger.
    /// </summary>
    internal static class DebuggerWait
    {
        private const int CheckIntervalMs = 100;

        /// <summary>
        /// Writes <c>Waiting for debugger to attach to process &lt;pid&gt;</c> to the process's standard error, as
        /// Microsoft's module does, and waits until a .NET debugger is attached or, on Linux, a native one (a non-zero
        /// TracerPid in /proc/self/status). Checks for Ctrl+C every 100 ms and then throws
        /// <see cref="PipelineStoppedException"/>. Calls <see cref="ManagedDebugger.Break"/> when a managed debugger is attached.
        /// </summary>
        internal static void Wait(PSCmdlet cmdlet)
        {
            Console.Error.WriteLine("Waiting for debugger to attach to process " + Environment.ProcessId);
            Console.Error.Flush();

            // NOTE: on Windows and macOS only a managed debugger ends the wait; detecting a native one there would
            // need a platform call that this assembly does not declare.
            while (!ManagedDebugger.IsAttached && !IsNativeDebuggerAttached())
            {
                if (cmdlet.Stopping)
                {
                    throw new PipelineStoppedException();
                }

                Thread.Sleep(CheckIntervalMs);
            }

            if (ManagedDebugger.IsAttached)
            {
                ManagedDebugger.Break();
            }
        }

        /// <summary>Returns true on Linux when /proc/self/status names a tracer (gdb, lldb, strace).</summary>
        private static bool IsNativeDebuggerAttached()
        {
            if (!OperatingSystem.IsLinux())
            {
                return false;
            }

            try
            {
                foreach (string line in File.ReadLines("/proc/self/status"))
                {
                    if (line.StartsWith("TracerPid:", StringComparison.Ordinal))
                    {
                        string value = line.Substring("TracerPid:".Length).Trim();
                        return value.Length > 0 && value != "0";
                    }
                }
            }
            catch (IOException)
            {
                // Without /proc there is no way to tell, so only a managed debugger ends the wait.
            }
            catch (UnauthorizedAccessException)
            {
                // The same as above.
            }

            return false;
        }
    }
}
