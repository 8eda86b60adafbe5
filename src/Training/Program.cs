using LeadPropensity.Training.Commands;

return await Cli.RunAsync(Cli.Root(), args);
