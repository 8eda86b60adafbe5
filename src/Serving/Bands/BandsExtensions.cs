using System.ComponentModel.DataAnnotations;
using LeadPropensity.Serving.Models;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LeadPropensity.Serving.Bands;

/// <summary>Bands: how often a replica checks the store for cutoffs set elsewhere.</summary>
public sealed class BandsOptions
{
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")] public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

public static class BandsExtensions
{
    /// <summary>Stored band cutoffs replace the bundle's recommendation as the scoring's <see cref="IBandCutoffsProvider"/>, kept fresh by a poller.</summary>
    public static IHostApplicationBuilder AddBands(this IHostApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddOptions<BandsOptions>().BindConfiguration("Bands").ValidateDataAnnotations().ValidateOnStart();
        s.AddSingleton<StoredBandCutoffsProvider>();
        s.Replace(ServiceDescriptor.Singleton<IBandCutoffsProvider>(sp => sp.GetRequiredService<StoredBandCutoffsProvider>()));
        s.AddHostedService<BandsPoller>();
        return builder;
    }
}
