using System.Security.Claims;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewEngines;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SseDashboard.TagHelpers;
using SseDashboard.Tests.Fleet;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.TagHelpers;

/// <summary><c>&lt;sse-panel&gt;</c> rendered as a host's page renders it, in a signed-in request of a running dashboard.</summary>
public sealed class SsePanelTagHelperTests(PostgresServer postgres)
{
    [Fact]
    public async Task InAFleet_HostAttribute_PaintsThatHostsPanel_InItsSlot()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var nodeA = FleetPagesTests.FleetNode(connectionString, "node-a");
        using var nodeB = FleetPagesTests.FleetNode(connectionString, "node-b");
        await using var a = await nodeA.StartAsync();
        await using var b = await nodeB.StartAsync();
        await FleetPagesTests.GridAsync(a, ["node-a", "node-b"]);

        var cpu = (await RenderAsync(a, "cpu", "node-b"))!;
        Assert.Equal(("cpu", "true", "node-b"), (cpu.GetAttribute("data-sse-panel"), cpu.GetAttribute("data-sse-slotted"), cpu.GetAttribute("data-sse-host")));
        Assert.NotNull(cpu.QuerySelector("[data-slot='cpu:node-b'] .metric-value[data-value]"));
        Assert.Contains("&host=node-b", cpu.QuerySelector("[data-chart-range='1h']")!.GetAttribute("hx-get"));

        await nodeB.AppendAsync("from b");
        var log = (await RenderAsync(a, "log", "node-b"))!;
        Assert.Equal("hosts=node-b", log.QuerySelector("#panel-log-content")!.GetAttribute("data-history-query"));
        Assert.Equal((null, "node-b"), (log.GetAttribute("data-sse-slotted"), log.GetAttribute("data-sse-host")));
        Assert.Null((await RenderAsync(a, "log", null))!.GetAttribute("data-sse-host"));
    }

    [Fact]
    public async Task APageUserTheStreamWouldRefuse_GetsNoPanel()
    {
        await using var server = await DashboardServer.StartAsync();

        // Token mode: signed in to the host page is not logged in to the dashboard.
        Assert.Null(await RenderAsync(server, "log", null, withDashboardLogin: false));
        Assert.NotNull(await RenderAsync(server, "log", null));
    }

    [Fact]
    public async Task AnUnknownPanel_IsAClearError()
    {
        await using var server = await DashboardServer.StartAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RenderAsync(server, "disk", null));
        Assert.Equal("<sse-panel name=\"disk\">: no such panel. Panels: clock, cpu, memory, log, server.", error.Message);
    }

    /// <returns>The panel's element; null when it rendered nothing.</returns>
    private static async Task<IElement?> RenderAsync(DashboardServer server, string name, string? host, bool withDashboardLogin = true)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var http = new DefaultHttpContext
        {
            RequestServices = services,
            User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], "Host")),
        };
        if (withDashboardLogin)
        {
            http.Request.Headers.Authorization = $"Bearer {DashboardServer.Token}";
        }

        var viewContext = new ViewContext(
            new ActionContext(http, new RouteData(), new ActionDescriptor()),
            new NoView(),
            new ViewDataDictionary(new EmptyModelMetadataProvider(), new ModelStateDictionary()),
            new TempDataDictionary(http, services.GetRequiredService<ITempDataProvider>()),
            TextWriter.Null,
            new HtmlHelperOptions());
        var helper = ActivatorUtilities.CreateInstance<SsePanelTagHelper>(services);
        helper.Name = name;
        helper.Host = host;
        helper.ViewContext = viewContext;
        var output = new TagHelperOutput("sse-panel", [], (_, _) => Task.FromResult<TagHelperContent>(new DefaultTagHelperContent()));
        await helper.ProcessAsync(new TagHelperContext([], new Dictionary<object, object>(), "panel"), output);

        using var writer = new StringWriter();
        output.WriteTo(writer, System.Text.Encodings.Web.HtmlEncoder.Default);
        return new HtmlParser().ParseDocument($"<body>{writer}</body>").Body!.FirstElementChild;
    }

    private sealed class NoView : IView
    {
        public string Path => "";

        public Task RenderAsync(ViewContext context) => Task.CompletedTask;
    }
}
