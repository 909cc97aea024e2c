// InternalTool: a host app with the dashboard inside it; the composition root lives in ToolApp so tests start it too.
using InternalTool;

await using var app = ToolApp.Create(args);
await app.RunAsync();
