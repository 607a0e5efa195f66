# The container image the cluster paths run (gmai cluster k8s names it with --image; Slurm sites can run it too).
# Debian 12, the .NET 10 runtime (with ASP.NET Core, which the review app needs), GDCM's C# bindings through the same
# scripts/setup the README uses, and the published gmai. Build from the repository root:
#   dotnet publish src/GmaiBench.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o publish/gmai
#   docker build -t gmaibench:latest .
# then push it where the cluster pulls from (docker tag/push, or kind load / k3s ctr import for a local cluster).
FROM debian:12-slim

ARG DOTNET_CHANNEL=10.0
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && curl -fsSL https://dot.net/v1/dotnet-install.sh -o /tmp/dotnet-install.sh \
 && bash /tmp/dotnet-install.sh --channel "$DOTNET_CHANNEL" --runtime aspnetcore --install-dir /usr/share/dotnet \
 && ln -s /usr/share/dotnet/dotnet /usr/local/bin/dotnet \
 && rm -f /tmp/dotnet-install.sh \
 && rm -rf /var/lib/apt/lists/*

COPY scripts/setup /opt/gmaibench/scripts/setup
RUN bash /opt/gmaibench/scripts/setup --runtime && rm -rf /var/lib/apt/lists/*

COPY publish/gmai/ /opt/gmaibench/gmai/
# .NET runtime settings the runtime reads only from the environment (src/GmaiBench/Model/RuntimeSettings.cs says why).
ENV DOTNET_GCgen0size=0x800000
RUN printf '#!/bin/sh\nexec dotnet /opt/gmaibench/gmai/gmai.dll "$@"\n' > /usr/local/bin/gmai && chmod 755 /usr/local/bin/gmai

# The project folder (sources.yaml, label-taxonomy/, pipelines/, data, work folder) is mounted here.
WORKDIR /project
CMD ["gmai", "--help"]
