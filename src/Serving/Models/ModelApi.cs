using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Serving.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeadPropensity.Serving.Models;

/// <summary>What is served and why it is trusted: GET /model, /model/schema, /model/importance, /model/report, /model/calibration.</summary>
public static class ModelApi
{
    public static RouteGroupBuilder MapModel(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/model").WithTags("Model").RequireAuthorization(Roles.Analyst)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapGet("", GetModel).WithName("GetModel")
            .WithSummary("The served model: version, trained-at, trainer, calibration, test metrics, data fingerprint, cutoffs.");
        group.MapGet("/schema", GetSchema).WithName("GetModelSchema")
            .WithSummary("The fields a CRM should send, with their types, an example value and the known categories.");
        group.MapGet("/importance", GetImportance).WithName("GetModelImportance")
            .WithSummary("Permutation importance of every business field on the held-out test set, most important first.");
        group.MapGet("/report", GetReport).WithName("GetModelReport")
            .WithSummary("The bundle's evaluation report (report.html), when it has one.").Produces(StatusCodes.Status200OK, contentType: "text/html");
        group.MapGet("/calibration", GetCalibration).WithName("GetModelCalibration")
            .WithSummary("The bundle's calibration and evaluation data (report.json), when it has one.").Produces(StatusCodes.Status200OK, contentType: "application/json");
        return group;
    }

    public sealed record ModelInfo(
        string Version, DateTime TrainedAt, DateTime LoadedAt, TrainerInfo Trainer, CalibrationChoice Calibration, TestMetrics Metrics,
        DataFingerprint Data, RecommendedCutoffs RecommendedCutoffs, CutoffsInUse CutoffsInUse, IReadOnlyList<LeakFlag> Leaks);

    public sealed record CutoffsInUse(double Mql, double Sql);

    public sealed record ModelSchema(string Version, string? IdField, IReadOnlyList<string> MissingTokens, IReadOnlyList<FieldGuideEntry> Fields);

    public static Results<Ok<ModelInfo>, ProblemHttpResult> GetModel(ModelHolder models, IBandCutoffsProvider cutoffs)
    {
        if (models.Current is not { } served) return NoModel();
        var m = served.Bundle.Manifest;
        var c = cutoffs.For(served.Bundle);
        return TypedResults.Ok(new ModelInfo(m.Version, m.CreatedAt, served.LoadedAt, m.Trainer, m.Calibration, m.Metrics, m.Data,
            m.RecommendedCutoffs, new CutoffsInUse(c.Mql, c.Sql), m.Leaks));
    }

    public static Results<Ok<ModelSchema>, ProblemHttpResult> GetSchema(ModelHolder models)
    {
        if (models.Current is not { } served) return NoModel();
        var b = served.Bundle;
        return TypedResults.Ok(new ModelSchema(b.Version, b.Schema.Id, b.Schema.MissingTokens, FieldGuide.For(b)));
    }

    public static Results<Ok<IReadOnlyList<FieldImportance>>, ProblemHttpResult> GetImportance(ModelHolder models) =>
        models.Current is { } served ? TypedResults.Ok(served.Bundle.Manifest.Importance) : NoModel();

    public static Results<PhysicalFileHttpResult, ProblemHttpResult> GetReport(ModelHolder models) => BundleFile(models, "report.html", "text/html");

    public static Results<PhysicalFileHttpResult, ProblemHttpResult> GetCalibration(ModelHolder models) => BundleFile(models, "report.json", "application/json");

    private static Results<PhysicalFileHttpResult, ProblemHttpResult> BundleFile(ModelHolder models, string file, string contentType)
    {
        if (models.Current is not { } served) return NoModel();
        var path = Path.Combine(served.Bundle.Path, file);
        return File.Exists(path)
            ? TypedResults.PhysicalFile(Path.GetFullPath(path), contentType)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found",
                detail: $"model {served.Version} has no {file} (bundles written by an older trainer, or with reports turned off, have none)");
    }

    private static ProblemHttpResult NoModel() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No model is loaded",
            detail: "No model is served (none promoted, or the champion was rejected: see /health/ready); the rules answer /predict.");
}
