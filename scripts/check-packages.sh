#!/usr/bin/env bash
# Packs Pitts, Pitts.Neuro, Pitts.Onnx, Pitts.Data.Mnist and the pitts tool into a local folder and uses them as a stranger would:
#   1. each .nuspec carries its licence expression and its readme, and a .snupkg lies beside each .nupkg;
#   2. a console project in a temporary folder, outside the repository's build files, restores Pitts from that folder
#      (plus the normal NuGet source for its dependencies), runs README.md's first C# example and must print the
#      gradient the README shows;
#   3. the tool installs from the folder into a tool path and trains on the shipped MNIST digits it carries.
# Usage: scripts/check-packages.sh [OUT]   (OUT: where the packages go; default a temporary folder)
#        PITTS_TOOL_PER_PLATFORM=true scripts/check-packages.sh   also packs one tool package per platform (slow).
# Ends with "N passed, N failed"; exits non-zero when any check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${1:-$work/packages}
mkdir -p "$out"
out=$(cd "$out" && pwd)
passed=0; failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

per_platform=${PITTS_TOOL_PER_PLATFORM:-false}
for p in src/Pitts src/Pitts.Neuro src/Pitts.Onnx src/Pitts.Data.Mnist src/Pitts.Cli; do
  if dotnet pack "$p" -c Release -o "$out" --nologo -p:PittsToolPerPlatform="$per_platform" >"$work/pack.log" 2>&1; then
    ok "dotnet pack $p"
  else
    tail -n 20 "$work/pack.log"; bad "dotnet pack $p"
  fi
done
ls -l "$out"

version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)
declare -A licence=([Pitts]=MIT [Pitts.Neuro]=MIT [Pitts.Onnx]="MIT AND Apache-2.0" [Pitts.Data.Mnist]=CC-BY-SA-3.0 [Pitts.Cli]="MIT AND CC-BY-SA-3.0")
for id in Pitts Pitts.Neuro Pitts.Onnx Pitts.Data.Mnist Pitts.Cli; do
  pkg="$out/$id.$version.nupkg"
  nuspec=$(unzip -p "$pkg" "$id.nuspec" 2>/dev/null)
  if grep -q "<license type=\"expression\">${licence[$id]}</license>" <<<"$nuspec" \
     && grep -q '<readme>README.md</readme>' <<<"$nuspec" && unzip -l "$pkg" README.md >/dev/null 2>&1; then
    ok "$id.nuspec: licence ${licence[$id]}, README.md packed"
  else
    bad "$id.nuspec: licence or readme missing"
  fi
  if [ "$id" = Pitts.Onnx ]; then
    unzip -l "$pkg" LICENSE-Apache-2.0.txt >/dev/null 2>&1 && ok "$id: the Apache-2.0 text of onnx.proto packed" || bad "$id: LICENSE-Apache-2.0.txt missing"
  fi
  if [ "$id" = Pitts.Cli ] && [ "$per_platform" = true ]; then
    ls "$out"/Pitts.Cli.*.$version.snupkg >/dev/null 2>&1 && ok "$id: per-platform .snupkg" || bad "$id: no .snupkg"
  else
    [ -f "$out/$id.$version.snupkg" ] && ok "$id: .snupkg beside the .nupkg" || bad "$id: no .snupkg"
  fi
done
if unzip -l "$out/Pitts.$version.nupkg" | grep -qi mnist; then bad "Pitts.nupkg holds MNIST files"; else ok "Pitts.nupkg holds no MNIST files (they are Pitts.Data.Mnist's)"; fi

# A consumer project: its own package cache, so it restores what was just packed and nothing cached before.
app="$work/consumer"
mkdir -p "$app"
export NUGET_PACKAGES="$work/nuget-packages"
echo '<Project />' >"$app/Directory.Build.props"
echo '<Project />' >"$app/Directory.Packages.props"
cat >"$app/nuget.config" <<EOF
<configuration>
  <packageSources>
    <add key="pitts-local" value="$out" />
  </packageSources>
</configuration>
EOF
cat >"$app/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Pitts" Version="$version" />
  </ItemGroup>
</Project>
EOF
# README.md's first C# block, as a reader copies it.
awk '/^```csharp/{f=1;next} /^```/{if(f){exit}} f' README.md >"$app/Program.cs"
expected=$(grep -o 'tensor(\[[^]]*\], shape=([0-9]*))' "$app/Program.cs" | tail -n 1)
if (cd "$app" && dotnet run -c Release >"$work/run.log" 2>&1); then
  got=$(tail -n 1 "$work/run.log")
  echo "consumer printed: $got"
  [ -n "$expected" ] && [ "$got" = "$expected" ] && ok "README example from the package prints $expected" || bad "README example printed '$got', README says '$expected'"
else
  tail -n 20 "$work/run.log"; bad "consumer project did not build or run"
fi
ls "$NUGET_PACKAGES"/pitts/"$version"/pitts."$version".nupkg >/dev/null 2>&1 && ok "Pitts $version was restored from $out" || bad "Pitts was not restored from $out"

# The tool, installed from the folder, trains on the digits it carries (run outside the repository: no data/ to find).
if dotnet tool install Pitts.Cli --version "$version" --tool-path "$work/tools" --add-source "$out" >"$work/tool.log" 2>&1; then
  ok "dotnet tool install Pitts.Cli from $out"
  if (cd "$work" && PITTS_DATA= "$work/tools/pitts" train -d mnist --limit 200 -e 1 -q >"$work/train.log" 2>&1); then
    ok "installed pitts trains on its shipped MNIST digits: $(grep -E '^test' "$work/train.log" | tr -s ' ')"
  else
    tail -n 5 "$work/train.log"; bad "installed pitts could not train on mnist"
  fi
else
  tail -n 20 "$work/tool.log"; bad "dotnet tool install Pitts.Cli"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
