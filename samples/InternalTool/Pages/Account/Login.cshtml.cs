using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InternalTool.Pages.Account;

public sealed class LoginModel(ToolUsers users) : PageModel
{
    public string ReturnUrl { get; private set; } = "/";

    public string? Problem { get; private set; }

    public void OnGet(string? returnUrl) => ReturnUrl = Local(returnUrl);

    public async Task<IActionResult> OnPostAsync(string? user, string? password, string? returnUrl)
    {
        ReturnUrl = Local(returnUrl);
        if (users.SignIn(user, password) is not { } principal)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Problem = "Wrong user or password.";
            return Page();
        }

        await HttpContext.SignInAsync(principal);
        return LocalRedirect(ReturnUrl);
    }

    public async Task<IActionResult> OnPostSignOutAsync()
    {
        await HttpContext.SignOutAsync();
        return RedirectToPage();
    }

    private string Local(string? url) => !string.IsNullOrEmpty(url) && Url.IsLocalUrl(url) ? url : "/";
}
