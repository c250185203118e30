// A courseware file sent in pieces: the upload is started with its size and
// type, each piece is PUT at the offset the server stands at, and a piece
// lost to the network is sent again from where the server says it stands.
import { getUploadsById, postUploads, putUploadsById, type Upload } from './api'

const PIECE = 4 << 20

/** The media type the server accepts for a file (browsers name .m4a audio/x-m4a). */
export function mediaType(file: File): string {
  const ext = file.name.toLowerCase().split('.').pop() ?? ''
  const byExt: Record<string, string> = { mp4: 'video/mp4', webm: 'video/webm', mp3: 'audio/mpeg', m4a: 'audio/mp4', pdf: 'application/pdf', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' }
  return byExt[ext] ?? file.type
}

/** Sends `file`, reporting the share sent (0 to 1); answers the finished upload with its media. */
export async function uploadFile(file: File, orgId: number | undefined, progress: (share: number) => void): Promise<Upload> {
  let u = await postUploads({ org_id: orgId, filename: file.name, media_type: mediaType(file), size: file.size })
  let failures = 0
  while (u.status === 'receiving') {
    const at = u.received
    try {
      u = await putUploadsById(u.id, file.slice(at, at + PIECE), { offset: at })
      failures = 0
    } catch (e) {
      // A refusal of the file itself (its type, its content) ends the upload;
      // a lost connection resumes where the server stands.
      if (!(e instanceof TypeError) || ++failures > 3) throw e
      u = await getUploadsById(u.id)
    }
    progress(u.received / u.size)
  }
  return u
}
