using Microsoft.AspNetCore.Diagnostics;

namespace LeadPropensity.Serving.Extensions;

/// <summary>
/// Failures the caller caused — a body cut short, sent too slowly or over the size limit, or not the coding it claims; a
/// query or route value that does not bind to its parameter — become the ProblemDetails answer their status code says (400, 408, 413), with the
/// reason (which names the parameter), logged as the client's mistake, not as a server error; a request the client
/// abandoned is let go quietly. Anything else stays an unhandled 500.
/// </summary>
public sealed class ClientErrorHandler(IProblemDetailsService problems, ILogger<ClientErrorHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // A body that is not the Content-Encoding it was sent with fails inside the decompression stream, wherever it is read.
        if (Predict.RequestBody.IsUndecodable(exception)) exception = Predict.RequestBody.Undecodable(exception);
        if (exception is BadHttpRequestException bad)
        {
            logger.LogInformation("{Method} {Path}: the request could not be read ({Status}): {Message}",
                httpContext.Request.Method, httpContext.Request.Path, bad.StatusCode, bad.Message);
            httpContext.Response.StatusCode = bad.StatusCode;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = { Status = bad.StatusCode, Detail = $"The request could not be read: {bad.Message}" },
            });
            return true;
        }
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            logger.LogDebug("{Method} {Path}: the client went away before the answer", httpContext.Request.Method, httpContext.Request.Path);
            return true;
        }
        return false;
    }
}
