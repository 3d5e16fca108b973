using Pitts.NN;

namespace Pitts.Models;

/// <summary>Builders of the zoo models made of convolutional, recurrent and attention layers.</summary>
internal static class ZooLayers
{
    public static Module Build(ModelSpec spec, Generator? generator) =>
        throw new ModelSpecException($"ModelSpec: the '{spec.Kind}' model needs layers that are not in this build yet");
}
