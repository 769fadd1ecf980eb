using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// A database error under <c>/api/hazards</c> (PostgreSQL down, the SQLite file unreadable, a migration that could not run)
/// answers 503 problem+json saying the hazard registry is unavailable, instead of a bare 500; the rest of the platform
/// (alarms, the board) is not affected. Logged by the exception-handler middleware like any unhandled error.
/// </summary>
internal sealed class RegistryUnavailableHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!httpContext.Request.Path.StartsWithSegments("/api/hazards", StringComparison.Ordinal) || !IsDatabaseFailure(exception))
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "30";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Hazard registry unavailable",
                Detail = "隐患台账数据库暂时不可用，报警不受影响，请稍后重试 / The hazard registry's database is unavailable; alarms are not affected. Try again shortly.",
            },
        });
    }

    private static bool IsDatabaseFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or TimeoutException || e.GetType().FullName is "Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException")
            {
                return true;
            }
        }

        return false;
    }
}
