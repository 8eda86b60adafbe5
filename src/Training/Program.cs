using System.CommandLine;
using LeadPropensity.Training.Commands;

var root = new RootCommand("LeadPropensity training: learn, calibrate, evaluate and manage lead-scoring models.")
{
    GenerateCommand.Create(),
    SchemaCommand.Create(),
    TrainCommand.Create(),
    ModelsCommand.Create(),
    ScoreCommand.Create(),
    EvaluateCommand.Create(),
    CompareCommand.Create(),
};
return await Cli.RunAsync(root, args);
