using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InternalTool.Pages;

/// <summary>The tool's own work: shipping logs an entry with its properties; charging a card fails with an exception.</summary>
public sealed partial class OrdersModel(ILogger<OrdersModel> logger) : PageModel
{
    public sealed record Order(int Id, string Customer, decimal Total);

    public static readonly Order[] Orders = [new(1001, "Contoso", 129.90m), new(1002, "Fabrikam", 42.00m), new(1003, "Northwind", 310.50m)];

    [TempData]
    public string? Message { get; set; }

    public void OnGet()
    {
    }

    public IActionResult OnPostShip(int id)
    {
        LogShipped(logger, id, User.Identity?.Name);
        Message = $"Order {id} shipped.";
        return RedirectToPage();
    }

    public IActionResult OnPostCharge(int id)
    {
        try
        {
            Charge(id);
        }
        catch (InvalidOperationException ex)
        {
            LogChargeFailed(logger, ex, id);
            Message = $"Order {id}: the card was declined.";
        }

        return RedirectToPage();
    }

    private static void Charge(int id)
    {
        try
        {
            throw new TimeoutException($"The payment gateway did not answer for order {id}.");
        }
        catch (TimeoutException ex)
        {
            throw new InvalidOperationException($"Card declined for order {id}.", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} shipped by {User}")]
    private static partial void LogShipped(ILogger logger, int orderId, string? user);

    [LoggerMessage(Level = LogLevel.Error, Message = "Charging order {OrderId} failed")]
    private static partial void LogChargeFailed(ILogger logger, Exception exception, int orderId);
}
