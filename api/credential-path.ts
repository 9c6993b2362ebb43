// Where the manager writes its credential and the CLI reads it back, by the uid the manager runs
// as: root writes /run/kdiag (the image's own directory); a non-root manager (kdiag's own uid
// under baseline, the target's under restricted) cannot, and makes its 0700 directory in /tmp of
// its own container.
export function getCredentialPath(uid: number): string {
  return uid === 0 ? "/run/kdiag/credential.json" : `/tmp/kdiag-${uid}/credential.json`;
}
