using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using SseDashboard.Mount;

namespace SseDashboard.TagHelpers;

/// <summary>
/// <c>&lt;sse-dashboard-scripts /&gt;</c>, once in a host page with <c>&lt;sse-panel&gt;</c>s: the panels' stylesheet
/// and scripts from below the mount, and where the page's one stream is (opened by <c>host-panels.js</c> for every
/// panel on the page, resuming after their first paint).
/// </summary>
[HtmlTargetElement("sse-dashboard-scripts", TagStructure = TagStructure.WithoutEndTag)]
public sealed class SseDashboardScriptsTagHelper(DashboardMount mount, IFileVersionProvider versions) : TagHelper
{
    private static readonly string[] Scripts =
    [
        "lib/htmx.org/dist/htmx.min.js",
        "lib/htmx-ext-sse/dist/sse.min.js",
        "js/connection.js",
        "js/log-common.js",
        "js/log-search.js",
        "js/log-panel.js",
        "js/metric-chart.js",
        "js/host-panels.js",
    ];

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        if ((await HostPage.ForAsync(ViewContext.HttpContext)).Snapshot is not { } snapshot)
        {
            // Not for this user: nothing on the page, as the stream would refuse them.
            output.SuppressOutput();
            return;
        }

        var pathBase = ViewContext.HttpContext.Request.PathBase.Add(mount.Path);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<link rel=\"stylesheet\" href=\"{Asset(pathBase, "css/panels.css")}\">\n");
        foreach (var script in Scripts)
        {
            html.Append(CultureInfo.InvariantCulture, $"<script src=\"{Asset(pathBase, script)}\" defer></script>\n");
        }

        var stream = HtmlEncoder.Default.Encode(pathBase.Add("/sse").ToString());
        html.Append(CultureInfo.InvariantCulture, $"<span hidden data-sse-dashboard=\"{stream}\" data-last-event-id=\"{snapshot.LastEventId}\"></span>");
        output.TagName = null;
        output.Content.SetHtmlContent(html.ToString());
    }

    private string Asset(PathString pathBase, string file) =>
        HtmlEncoder.Default.Encode(versions.AddFileVersionToPath(pathBase, pathBase.Add(MountedEndpoints.AssetsPath + "/" + file).ToString()));
}
