// Where the manager writes its credential and the CLI reads it back, by the uid the manager runs
// as: root writes /run/kdiag (the image's own directory); a manager run as the target's user (the
// baseline and restricted profiles) cannot, and writes into /tmp, which every user may.
export function getCredentialPath(uid: number): string {
  return uid === 0 ? "/run/kdiag/credential.json" : `/tmp/kdiag-${uid}/credential.json`;
}
