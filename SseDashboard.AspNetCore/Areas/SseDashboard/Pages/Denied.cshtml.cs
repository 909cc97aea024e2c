using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SseDashboard.Auth;

namespace SseDashboard.Pages;

/// <summary><c>/denied</c>: a provider's user who may not look, told so (403) and offered a sign-out.</summary>
[AllowAnonymous]
public sealed class DeniedModel : PageModel
{
    public string Name { get; private set; } = "";

    public string? Email { get; private set; }

    public IReadOnlyList<string> Groups { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var session = await HttpContext.AuthenticateAsync(AuthSchemes.Session);
        if (session.Principal is not { } user)
        {
            return LocalRedirect(Url.Content("~/login"));
        }

        Name = user.Identity?.Name ?? "";
        Email = user.FindFirstValue(DashboardClaims.Email);
        Groups = user.FindAll(DashboardClaims.Group).Select(c => c.Value).ToArray();
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Page();
    }
}
