using System.Text.Json;
using LeadPropensity.Serving.Extensions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LeadPropensity.Serving.Tests;

/// <summary>
/// Kestrel throws <see cref="BadHttpRequestException"/> while /predict reads a body that ends before its Content-Length
/// (seen when a load generator hung up mid-request): the service logged it as an unhandled server error, a 500. It is
/// the caller's doing: the service's exception handler answers with Kestrel's status as ProblemDetails.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class TruncatedBodyTests(ModelFixture fx)
{
    [Theory]
    [InlineData(StatusCodes.Status400BadRequest, "Unexpected end of request content.")]
    [InlineData(StatusCodes.Status408RequestTimeout, "Reading the request body timed out due to data arriving too slowly.")]
    public async Task AnUnreadableBodyIsTheClientsStatusAsProblemDetails(int status, string message)
    {
        var handler = fx.Standard.Services.GetServices<IExceptionHandler>().OfType<ClientErrorHandler>().Single();
        using var scope = fx.Standard.Services.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = "POST";
        context.Request.Path = "/predict";
        context.Request.Headers.Accept = "application/json";
        context.Response.Body = new MemoryStream();

        Assert.True(await handler.TryHandleAsync(context, new BadHttpRequestException(message, status), CancellationToken.None));

        Assert.Equal(status, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var problem = JsonDocument.Parse(context.Response.Body).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Contains(message, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task OurOwnFailuresStayServerErrors()
    {
        var handler = fx.Standard.Services.GetServices<IExceptionHandler>().OfType<ClientErrorHandler>().Single();
        var context = new DefaultHttpContext { RequestServices = fx.Standard.Services };
        Assert.False(await handler.TryHandleAsync(context, new InvalidOperationException("a bug"), CancellationToken.None));
        Assert.False(await handler.TryHandleAsync(context, new OperationCanceledException(), CancellationToken.None));
    }
}
