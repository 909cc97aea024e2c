using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Pages;

/// <summary>The dashboard's icon: linked from its pages, served without a login.</summary>
public sealed class IconTests
{
    [Theory]
    [InlineData("/_content/SseDashboard.AspNetCore/favicon.ico", "image/x-icon")]
    [InlineData("/_content/SseDashboard.AspNetCore/favicon.svg", "image/svg+xml")]
    public async Task Icon_IsLinkedFromThePageAndTheLogin_AndServedWithoutALogin(string path, string contentType)
    {
        await using var server = await DashboardServer.StartAsync();
        using var anonymous = server.NewClient();

        var page = await GetDocumentAsync(server, "/");
        var login = await GetDocumentAsync(server, "/login");
        using var icon = await anonymous.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Contains(path, page.QuerySelectorAll("link[rel=icon]").Select(l => l.GetAttribute("href")));
        Assert.Contains(path, login.QuerySelectorAll("link[rel=icon]").Select(l => l.GetAttribute("href")));
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal(contentType, icon.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(await icon.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<IDocument> GetDocumentAsync(DashboardServer server, string path)
    {
        using var response = await server.Client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
