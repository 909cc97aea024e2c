// SseDashboard: the composition root lives in DashboardApp so tests start the very same app on Kestrel.
using SseDashboard;

return await DashboardApp.RunAsync(args);
