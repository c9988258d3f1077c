# sigview as a container image (FROM scratch, so it builds offline: no base
# image to pull). It expects a static binary named sigview in the build
# context:
#
#   CGO_ENABLED=0 go build -trimpath -o sigview ./cmd/sigview
#   docker build -t sigview .
#
# Run it with the host's PID namespace (Kubernetes: deploy/kubernetes), or
# with the host's /proc mounted and --proc pointing at it:
#
#   docker run --rm --pid=host --cap-drop=ALL --cap-add=SYS_PTRACE \
#     --cap-add=DAC_READ_SEARCH --read-only -p 127.0.0.1:19560:19560 sigview
FROM scratch
COPY sigview /sigview
# Root's uid for other users' /proc/PID files, with only the capabilities
# the run grants (see deploy/kubernetes/daemonset.yaml).
USER 0
EXPOSE 19560
ENTRYPOINT ["/sigview"]
CMD ["serve", "--listen=:19560"]
