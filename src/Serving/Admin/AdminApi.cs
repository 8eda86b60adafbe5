using LeadPropensity.Serving.Auth;
using LeadPropensity.Serving.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeadPropensity.Serving.Admin;

/// <summary>Registry operations: POST /admin/reload and POST /admin/models/{version}/promote.</summary>
public static class AdminApi
{
    public static RouteGroupBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin").WithTags("Admin").RequireAuthorization(Roles.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/reload", Reload).WithName("ReloadModel")
            .WithSummary("Check models/champion now and serve it if it changed (a rejected champion is retried).")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/models/{version}/promote", Promote).WithName("PromoteModel")
            .WithSummary("Verify a version, make it the registry's champion and serve it; a version that cannot be served changes nothing (422).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    public static Results<Ok<ReloadResult>, ProblemHttpResult> Reload(ModelHolder models)
    {
        var r = models.Reload(force: true);
        return r.Outcome == ReloadResult.Rejected
            ? TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The champion was rejected", detail: r.Message)
            : TypedResults.Ok(r);
    }

    public static Results<Ok<ReloadResult>, ProblemHttpResult> Promote(string version, ModelHolder models)
    {
        ReloadResult r;
        try { r = models.Promote(version); }
        catch (DirectoryNotFoundException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such model version", detail: e.Message);
        }
        return r.Outcome == ReloadResult.Rejected
            ? TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The model cannot be served", detail: r.Message)
            : TypedResults.Ok(r);
    }
}
