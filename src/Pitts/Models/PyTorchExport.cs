using System.Globalization;
using System.Text;
using Pitts.NN;

namespace Pitts.Models;

/// <summary>A zoo model that cannot be exported to PyTorch, or a destination folder that cannot take the export.</summary>
public sealed class PyTorchExportException : PittsException
{
    /// <summary>Creates the error "PyTorch export: <paramref name="reason"/>".</summary>
    public PyTorchExportException(string reason) : base($"PyTorch export: {reason}") { }
}

/// <summary>
/// Writes a zoo model as a PyTorch program: <c>model.py</c>, a readable <c>torch.nn.Module</c> whose state-dict names
/// are the Pitts checkpoint's, with the input standardisation of <see cref="ModelSpec.Normalize"/> in its
/// <c>forward</c> and a <c>load(folder)</c> that returns it in eval mode with its weights; and <c>model.safetensors</c>,
/// the weights and the <see cref="ModelSpec"/> (a Pitts checkpoint without training state). The program needs only
/// torch and numpy; it uses the <c>safetensors</c> package when it is installed.
/// </summary>
public static class PyTorchExport
{
    /// <summary>The file name of the generated module.</summary>
    public const string ModuleFile = "model.py";

    /// <summary>The file name of the weights.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>
    /// Writes <see cref="ModuleFile"/> and <see cref="WeightsFile"/> into <paramref name="folder"/> (created when
    /// missing), each through a temporary file that is flushed and renamed; refuses a folder where either file would
    /// replace one of <paramref name="inputs"/> (e.g. the checkpoint it exports).
    /// </summary>
    public static void Write(ModelSpec spec, Module model, string folder, params string[] inputs)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(inputs);
        string dir = Path.GetFullPath(folder);
        if (File.Exists(dir)) throw new PyTorchExportException($"'{folder}' is a file; give a folder");
        string py = Path.Combine(dir, ModuleFile), weights = Path.Combine(dir, WeightsFile);
        foreach (var input in inputs)
            if (IO.FilePaths.Same(input, py) || IO.FilePaths.Same(input, weights)) // links followed: a linked folder is the same folder
                throw new PyTorchExportException($"writing into '{folder}' would overwrite '{input}'; choose another folder");
        string source = ModuleSource(spec);
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new PyTorchExportException($"cannot create the folder '{folder}': {e.Message}"); }
        ZooCheckpoint.Save(weights, spec, model); // atomic: temporary file, flush, rename
        IO.AtomicFile.Write(py, s => s.Write(new UTF8Encoding(false).GetBytes(source)), msg => new PyTorchExportException(msg));
    }

    /// <summary>The source of <see cref="ModuleFile"/> for a model built from <paramref name="spec"/> (its layers under the names <see cref="ModelSpec.Build"/> gives them).</summary>
    public static string ModuleSource(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var body = spec.Kind switch
        {
            "mlp" => Mlp(spec),
            "cnn" => Cnn(spec),
            "autoencoder" => Autoencoder(spec),
            "linear" or "poly" => Linear(spec),
            "rnn" or "lstm" => Recurrent(spec),
            "transformer" => Transformer(spec),
            _ => throw new PyTorchExportException($"model kind '{spec.Kind}' has no PyTorch translation"),
        };
        var sb = new StringBuilder();
        sb.Append(Header(spec));
        sb.Append(body);
        sb.Append(Footer(spec));
        return sb.ToString();
    }

    private static string Num(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Tuple(IEnumerable<int> xs)
    {
        var a = xs.ToArray();
        return a.Length == 1 ? $"({a[0]},)" : "(" + string.Join(", ", a) + ")";
    }

    private static string Str(string s) =>
        "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";

    /// <summary>The torch module for the spec's activation, as Pitts defines it (GELU with erf, LeakyReLU 0.01, ELU α = 1, Softplus β = 1 with threshold 20).</summary>
    private static string Activation(ModelSpec spec) => spec.Activation switch
    {
        "relu" => "nn.ReLU()",
        "tanh" => "nn.Tanh()",
        "sigmoid" => "nn.Sigmoid()",
        "gelu" => "nn.GELU()",
        "leaky-relu" => "nn.LeakyReLU(0.01)",
        "elu" => "nn.ELU(1.0)",
        "softplus" => "nn.Softplus(beta=1.0, threshold=20.0)",
        _ => throw new PyTorchExportException($"activation '{spec.Activation}' has no PyTorch translation"),
    };

    private static string Header(ModelSpec spec)
    {
        int[] meanShape = spec.InputStatistics() is var (mean, _) ? [.. mean.Shape] : [1];
        var sb = new StringBuilder();
        sb.Append($""""
            """PyTorch port of a Pitts model: {spec.Describe().Replace("\"", "'", StringComparison.Ordinal)}.

            Written by `pitts export --pytorch`. The parameters have the Pitts checkpoint's names, so
            model.state_dict() loads back into Pitts and the Pitts weights load here with strict=True.
            `forward` takes raw inputs of shape (batch, *INPUT_SHAPE), applies the standardisation learned in
            training and returns the raw outputs, the numbers `pitts predict --out Y.npy` writes; `predict` adds
            what `pitts predict` prints (softmax probabilities and the class for a classifier).

                import model
                net = model.load("this-folder")        # eval mode, weights loaded
                y = net(torch.rand(4, *model.INPUT_SHAPE))
                # keep training: net.train(); torch.optim.Adam(net.parameters()); DistributedDataParallel(net) ...

            Needs only torch and numpy (the safetensors package is used when installed).
            """

            import json
            import os
            import struct
            from collections import OrderedDict

            import numpy as np
            import torch
            from torch import nn

            KIND = {Str(spec.Kind)}
            TASK = {Str(spec.Task)}
            INPUT_SHAPE = {Tuple(spec.InputShape)}
            CLASS_NAMES = {(spec.ClassNames is null ? "None" : "[" + string.Join(", ", spec.ClassNames.Select(Str)) + "]")}
            # Shape of the stored input mean and standard deviation: per value of a sample, or per feature of the last axis.
            STANDARDIZATION_SHAPE = {Tuple(meanShape)}


            class Standardize(nn.Module):
                """(x - mean) / std with the training data's statistics (buffers, not parameters: not in the state dict)."""

                def __init__(self):
                    super().__init__()
                    self.register_buffer("mean", torch.zeros(STANDARDIZATION_SHAPE), persistent=False)
                    self.register_buffer("std", torch.ones(STANDARDIZATION_SHAPE), persistent=False)

                def forward(self, x):
                    return (x - self.mean) / self.std



            """");
        return sb.ToString();
    }

    private static string Footer(ModelSpec spec)
    {
        string predict = spec.Task == "classification"
            ? """"
                  with torch.no_grad():
                      p = torch.softmax(model(x), 1)
                  probability, label = p.max(1)
                  return label, probability, p
              """"
            : """"
                  with torch.no_grad():
                      return model(x).reshape(x.shape[0], -1)
              """";
        return $$""""


            _DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "u1"}


            def read_safetensors(path):
                """The tensors and the metadata of a safetensors file (with the safetensors package when installed)."""
                try:
                    from safetensors import safe_open
                except ImportError:
                    safe_open = None
                if safe_open is not None:
                    with safe_open(path, framework="pt") as f:
                        return {k: f.get_tensor(k) for k in f.keys()}, f.metadata() or {}
                with open(path, "rb") as f:
                    (n,) = struct.unpack("<Q", f.read(8))
                    header = json.loads(f.read(n))
                    data = f.read()
                metadata = header.pop("__metadata__", {})
                tensors = {}
                for name, info in header.items():
                    begin, end = info["data_offsets"]
                    a = np.frombuffer(data[begin:end], dtype=_DTYPES[info["dtype"]]).reshape(info["shape"])
                    tensors[name] = torch.from_numpy(a.copy())
                return tensors, metadata


            def load(folder="."):
                """The model with the weights of folder/model.safetensors, in eval mode."""
                tensors, metadata = read_safetensors(os.path.join(folder, "model.safetensors"))
                model = Model()
                model.load_state_dict(tensors, strict=True)
                spec = json.loads(metadata["pitts.model"])
                if spec.get("input_mean") is not None:
                    model.standardize.mean.copy_(torch.tensor(spec["input_mean"], dtype=torch.float32).reshape(STANDARDIZATION_SHAPE))
                    model.standardize.std.copy_(torch.tensor(spec["input_std"], dtype=torch.float32).reshape(STANDARDIZATION_SHAPE))
                return model.eval()


            def predict(model, x):
                """What `pitts predict` prints for raw inputs x: {{(spec.Task == "classification" ? "(class, probability of it, all probabilities)" : "the outputs, one row per sample")}}."""
                x = torch.as_tensor(np.asarray(x, dtype=np.float32)).reshape(-1, *INPUT_SHAPE)
            {{predict}}


            if __name__ == "__main__":
                import sys

                if len(sys.argv) != 3:
                    sys.exit("usage: python model.py INPUTS.npy OUTPUTS.npy  (raw outputs, as pitts predict --out)")
                net = load(os.path.dirname(os.path.abspath(__file__)))
                x = torch.from_numpy(np.load(sys.argv[1]).astype(np.float32)).reshape(-1, *INPUT_SHAPE)
                with torch.no_grad():
                    np.save(sys.argv[2], net(x).numpy())

            """";
    }

    /// <summary>
    /// The class of a model that is a chain of layers (mlp, cnn): each layer an attribute under its Pitts name, in
    /// order, so the state-dict keys are the checkpoint's (<c>fc1.weight</c>, <c>conv1.bias</c>), and a forward that
    /// calls them one after another.
    /// </summary>
    private static string ChainModel(string doc, List<(string Name, string Layer)> layers)
    {
        var sb = new StringBuilder();
        sb.Append($"class Model(nn.Module):\n    \"\"\"{doc}\"\"\"\n\n    def __init__(self):\n        super().__init__()\n");
        sb.Append("        self.standardize = Standardize()\n");
        foreach (var (name, layer) in layers) sb.Append($"        self.{name} = {layer}\n");
        sb.Append("\n    def forward(self, x):\n        x = self.standardize(x)\n");
        foreach (var (name, _) in layers) sb.Append($"        x = self.{name}(x)\n");
        sb.Append("        return x\n");
        return sb.ToString();
    }

    private static string Mlp(ModelSpec spec)
    {
        var layers = new List<(string, string)> { ("flatten", "nn.Flatten()") };
        int prev = spec.InputSize, i = 0;
        foreach (int h in spec.Hidden)
        {
            i++;
            layers.Add(($"fc{i}", $"nn.Linear({prev}, {h})"));
            layers.Add(($"act{i}", Activation(spec)));
            if (spec.Dropout > 0) layers.Add(($"dropout{i}", $"nn.Dropout({Num(spec.Dropout)})"));
            prev = h;
        }
        layers.Add(($"fc{i + 1}", $"nn.Linear({prev}, {spec.Outputs})"));
        return ChainModel($"{spec.Describe()}: (batch, *INPUT_SHAPE) -> (batch, {spec.Outputs}).", layers);
    }

    private static string Cnn(ModelSpec spec)
    {
        int c = spec.InputShape[0], h = spec.InputShape[1], w = spec.InputShape[2], k = spec.Kernel;
        var layers = new List<(string, string)>();
        int i = 0;
        foreach (int channels in spec.Hidden)
        {
            i++;
            layers.Add(($"conv{i}", $"nn.Conv2d({c}, {channels}, {k}, padding={k / 2})"));
            if (spec.BatchNorm) layers.Add(($"bn{i}", $"nn.BatchNorm2d({channels})"));
            layers.Add(($"act{i}", Activation(spec)));
            if (h >= 2 && w >= 2)
            {
                layers.Add(($"pool{i}", "nn.MaxPool2d(2)"));
                h /= 2;
                w /= 2;
            }
            c = channels;
        }
        layers.Add(("flatten", "nn.Flatten()"));
        if (spec.Dropout > 0) layers.Add(("dropout", $"nn.Dropout({Num(spec.Dropout)})"));
        layers.Add(("fc", $"nn.Linear({c * h * w}, {spec.Outputs})"));
        return ChainModel($"{spec.Describe()}: images (batch, *INPUT_SHAPE) -> (batch, {spec.Outputs}).", layers);
    }

    private static string Autoencoder(ModelSpec spec)
    {
        var sb = new StringBuilder();
        sb.Append($"class Model(nn.Module):\n    \"\"\"{spec.Describe()}: (batch, *INPUT_SHAPE) -> code (batch, {spec.Latent}) -> (batch, *INPUT_SHAPE) in [0, 1].\"\"\"\n\n");
        sb.Append("    def __init__(self):\n        super().__init__()\n        self.standardize = Standardize()\n");
        sb.Append("        self.encoder = nn.Sequential(OrderedDict([\n            (\"flatten\", nn.Flatten()),\n");
        int prev = spec.InputSize, i = 0;
        foreach (int h in spec.Hidden)
        {
            i++;
            sb.Append($"            (\"fc{i}\", nn.Linear({prev}, {h})),\n            (\"act{i}\", {Activation(spec)}),\n");
            prev = h;
        }
        sb.Append($"            (\"fc{i + 1}\", nn.Linear({prev}, {spec.Latent})),\n        ]))\n");
        sb.Append("        self.decoder = nn.Sequential(OrderedDict([\n");
        prev = spec.Latent;
        i = 0;
        foreach (int h in spec.Hidden.Reverse())
        {
            i++;
            sb.Append($"            (\"fc{i}\", nn.Linear({prev}, {h})),\n            (\"act{i}\", {Activation(spec)}),\n");
            prev = h;
        }
        sb.Append($"            (\"fc{i + 1}\", nn.Linear({prev}, {spec.InputSize})),\n            (\"sigmoid\", nn.Sigmoid()),\n        ]))\n\n");
        sb.Append("    def encode(self, x):\n        \"\"\"The code z = encoder(x), shape (batch, latent).\"\"\"\n        return self.encoder(self.standardize(x))\n\n");
        sb.Append("    def decode(self, z):\n        \"\"\"The reconstruction, shape (batch, *INPUT_SHAPE).\"\"\"\n        return self.decoder(z).reshape(z.shape[0], *INPUT_SHAPE)\n\n");
        sb.Append("    def forward(self, x):\n        return self.decode(self.encode(x))\n");
        return sb.ToString();
    }

    private static string Linear(ModelSpec spec)
    {
        int d = spec.Kind == "poly" ? spec.Degree : 1;
        return $$""""
            class Model(nn.Module):
                """{{spec.Describe()}}: h(x) = fc(x, x², …, x^degree) on each input value."""

                degree = {{d}}

                def __init__(self):
                    super().__init__()
                    self.standardize = Standardize()
                    self.fc = nn.Linear({{spec.InputSize * d}}, {{spec.Outputs}})

                def features(self, x):
                    """x, x², …, x^degree side by side: (batch, inputs * degree), each power the previous times x, as in Pitts."""
                    x = x.flatten(1)
                    powers = [x]
                    for _ in range(2, self.degree + 1):
                        powers.append(powers[-1] * x)
                    return torch.cat(powers, 1)

                def forward(self, x):
                    return self.fc(self.features(self.standardize(x)))

            """";
    }

    private static string Recurrent(ModelSpec spec)
    {
        int features = spec.InputShape[1];
        int hidden = spec.Hidden.Length > 0 ? spec.Hidden[0] : 32;
        int layers = Math.Max(1, spec.Hidden.Length);
        string layer = spec.Kind == "lstm"
            ? $"nn.LSTM({features}, {hidden}, num_layers={layers}, batch_first=True)"
            : $"nn.RNN({features}, {hidden}, num_layers={layers}, nonlinearity=\"tanh\", batch_first=True)";
        return $$""""
            class Model(nn.Module):
                """{{spec.Describe()}}: sequences (batch, steps, features) -> (batch, {{spec.Outputs}}) from the last step's state."""

                def __init__(self):
                    super().__init__()
                    self.standardize = Standardize()
                    self.{{spec.Kind}} = {{layer}}
                    self.head = nn.Linear({{hidden}}, {{spec.Outputs}})

                def forward(self, x):
                    output, _ = self.{{spec.Kind}}(self.standardize(x))  # (batch, steps, hidden)
                    return self.head(output[:, -1])  # (batch, outputs)

            """";
    }

    private static string Transformer(ModelSpec spec)
    {
        int steps = spec.InputShape[0], features = spec.InputShape[1];
        int d = spec.Hidden.Length > 0 ? spec.Hidden[0] : 32;
        return $$""""
            class Model(nn.Module):
                """{{spec.Describe()}}: embedding plus learned positions, one post-norm encoder layer (ReLU), mean over time, linear head."""

                def __init__(self):
                    super().__init__()
                    self.standardize = Standardize()
                    self.embed = nn.Linear({{features}}, {{d}})
                    self.position = nn.Parameter(torch.zeros({{steps}}, {{d}}))
                    self.encoder = nn.TransformerEncoderLayer({{d}}, {{spec.Heads}}, dim_feedforward={{2 * d}}, dropout={{Num(spec.Dropout)}},
                                                              activation="relu", layer_norm_eps=1e-5, batch_first=True, norm_first=False)
                    self.head = nn.Linear({{d}}, {{spec.Outputs}})

                def forward(self, x):
                    h = self.embed(self.standardize(x)) + self.position  # (batch, steps, d)
                    h = self.encoder(h)  # (batch, steps, d)
                    return self.head(h.mean(1))  # (batch, outputs)

            """";
    }
}
