using System.Diagnostics.CodeAnalysis;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>A program a test needs from the machine (PostgreSQL, nginx, Node.js, Chromium).</summary>
public static class Prerequisite
{
    /// <summary>Without it the test skips, saying how to install it; under CI (<c>CI=true</c>) that is a failure.</summary>
    public static void Require([DoesNotReturnIf(false)] bool installed, string installHint)
    {
        if (installed)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(installHint);
        }

        Assert.Skip(installHint);
    }
}
