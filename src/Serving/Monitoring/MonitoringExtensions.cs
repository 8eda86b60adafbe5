using Microsoft.Extensions.DependencyInjection.Extensions;
using LeadPropensity.Serving.Outcomes;

namespace LeadPropensity.Serving.Monitoring;

public static class MonitoringExtensions
{
    /// <summary>
    /// The prediction log (bounded buffer + background writer into the state store), the outcome limits and the monitoring
    /// thresholds: the three halves of closing the loop from serving back to training.
    /// </summary>
    public static IHostApplicationBuilder AddMonitoring(this IHostApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddOptions<PredictionLogOptions>().BindConfiguration("PredictionLog").ValidateDataAnnotations().ValidateOnStart();
        s.AddOptions<MonitoringOptions>().BindConfiguration("Monitoring").ValidateDataAnnotations().ValidateOnStart();
        s.AddOptions<OutcomesOptions>().BindConfiguration("Outcomes").ValidateDataAnnotations().ValidateOnStart();
        s.AddSingleton<PredictionLog>();
        s.AddHostedService<PredictionLogWriter>();
        s.TryAddSingleton(TimeProvider.System);
        s.AddHostedService<PredictionRetention>();
        return builder;
    }
}
