using System.ComponentModel.DataAnnotations;
using LeadPropensity.Core.State;
using Microsoft.Extensions.Options;

namespace LeadPropensity.Serving.State;

/// <summary>State: where band cutoffs, the prediction log and outcomes are kept (SQLite file by default, PostgreSQL for replicas).</summary>
public sealed class StateOptions
{
    [Required] public string Provider { get; set; } = "Sqlite";
    [Required] public string ConnectionString { get; set; } = StateStoreFactory.DefaultConnectionString;
}

/// <summary>Applies the store's migrations before the service takes requests; a store it cannot reach stops the start.</summary>
public sealed class StateMigrator(IStateStore store, ILogger<StateMigrator> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = await store.MigrateAsync(cancellationToken);
        log.LogInformation("state store {Provider} ready ({Applied} migrations applied)", store.Provider, applied);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class StateStoreExtensions
{
    /// <summary>Registers the one <see cref="IStateStore"/> chosen by State:Provider / State:ConnectionString and migrates it at start.</summary>
    public static IHostApplicationBuilder AddStateStore(this IHostApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddOptions<StateOptions>().BindConfiguration("State").ValidateDataAnnotations()
            .Validate(o => o.Provider.Trim().ToLowerInvariant() is "sqlite" or "postgres" or "postgresql", "State:Provider must be Sqlite or Postgres")
            .ValidateOnStart();
        s.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<StateOptions>>().Value;
            return StateStoreFactory.Create(o.Provider, o.ConnectionString);
        });
        // Registered before the other hosted services so the schema exists before anything reads or writes it.
        s.AddHostedService<StateMigrator>();
        return builder;
    }
}
