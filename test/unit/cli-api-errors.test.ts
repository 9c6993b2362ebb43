import assert from "node:assert/strict";
import { test } from "node:test";
import { getApiStatus, translateApiError, type ApiAction } from "../../pkg/kube/api-errors.ts";
import { translateUpgradeError } from "../../pkg/kube/upgrade-errors.ts";

const patch: ApiAction = { verb: "patch", resource: "pods/ephemeralcontainers", namespace: "team", name: "web-1" };
const apiError = (code: number, body: object | string) => Object.assign(new Error(`HTTP-Code: ${code}`), { code, body });

test("a 403 names the user and the exact permission missing", () => {
  const error = apiError(403, {
    kind: "Status",
    reason: "Forbidden",
    message:
      'pods "web-1" is forbidden: User "system:serviceaccount:team:viewer" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "team"',
  });
  assert.equal(
    translateApiError(error, patch).message,
    "user `system:serviceaccount:team:viewer` is not allowed to patch pods/ephemeralcontainers in namespace `team` (pod `web-1`); ask a cluster admin for `patch` on `pods/ephemeralcontainers`",
  );
});

test("a PodSecurity rejection says which level refused the privileged container and what to do", () => {
  const error = apiError(403, {
    reason: "Forbidden",
    message:
      'pods "web-1" is forbidden: violates PodSecurity "baseline:latest": privileged (container "kdiag-0123456789" must not set securityContext.privileged=true)',
  });
  assert.equal(
    translateApiError(error, patch).message,
    "namespace `team` enforces PodSecurity `baseline` (latest), which refuses kdiag's privileged container; --profile auto picks one it admits, or debug in a namespace labelled pod-security.kubernetes.io/enforce=privileged",
  );
});

test("a 404 on the subresource means the cluster has no ephemeral containers; on the pod, that the pod is gone", () => {
  const missingResource = apiError(404, { reason: "NotFound", message: "the server could not find the requested resource" });
  assert.equal(
    translateApiError(missingResource, patch).message,
    "this cluster does not support ephemeral containers (no pods/ephemeralcontainers subresource); kdiag needs Kubernetes 1.25 or newer",
  );
  const missingPod = apiError(404, { reason: "NotFound", message: 'pods "web-1" not found', details: { name: "web-1", kind: "pods" } });
  assert.equal(translateApiError(missingPod, patch).message, "pod `web-1` not found in namespace `team`");
  assert.equal(
    translateApiError(missingPod, { verb: "get", resource: "pods", namespace: "team", name: "web-1" }).message,
    "pod `web-1` not found in namespace `team`",
  );
});

test("a body that is JSON text is read as a Status; other statuses keep the API's words on one line", () => {
  const error = apiError(422, JSON.stringify({ reason: "Invalid", message: "Pod \"web-1\" is invalid:\n spec.ephemeralContainers: Forbidden" }));
  assert.equal(
    translateApiError(error, patch).message,
    'patch pods/ephemeralcontainers in namespace `team` failed (422 Invalid): Pod "web-1" is invalid: spec.ephemeralContainers: Forbidden',
  );
});

test("an unreachable API server and a request timeout are told apart", () => {
  const refused = Object.assign(new Error("request to https://127.0.0.1:6443/api failed, reason: connect ECONNREFUSED 127.0.0.1:6443"), {
    name: "FetchError",
  });
  assert.equal(
    translateApiError(refused, { ...patch, server: "https://127.0.0.1:6443" }).message,
    "cannot reach the API server at https://127.0.0.1:6443: request to https://127.0.0.1:6443/api failed, reason: connect ECONNREFUSED 127.0.0.1:6443",
  );
  const timeout = Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" });
  assert.equal(
    translateApiError(timeout, { ...patch, server: "https://k:6443", requestTimeoutMs: 5000 }).message,
    "the API server at https://k:6443 did not answer within --request-timeout (5s); retry, or raise --request-timeout",
  );
});

test("a refused exec or port-forward upgrade names the create permission on the subresource", () => {
  const error = new Error("Unexpected server response: 403");
  assert.equal(
    translateUpgradeError(error, { resource: "pods/exec", namespace: "team", pod: "web-1" }).message,
    "not allowed to exec into pod `web-1`: ask a cluster admin for `create` on `pods/exec` in namespace `team`",
  );
  assert.equal(
    translateUpgradeError({ message: "Unexpected server response: 403" }, { resource: "pods/portforward", namespace: "team", pod: "web-1" }).message,
    "not allowed to port-forward to pod `web-1`: ask a cluster admin for `create` on `pods/portforward` in namespace `team`",
  );
});

test("the API status stays readable behind a translated error", () => {
  const translated = translateApiError(apiError(404, { message: "pods \"web-1\" not found", details: { name: "web-1" } }), patch);
  assert.equal(getApiStatus(translated), 404);
  assert.equal(getApiStatus(new Error("plain")), undefined);
});
