// The container of every file a media job writes.

/**
 * Fragmented MP4: the index travels with every fragment (one per key frame), so a file whose
 * ffmpeg was killed still plays up to its last fragment (~1 s lost at most), while an ordinary
 * MP4 without its trailing moov does not play at all. MP4 rather than FLV (also crash-safe, and
 * RTMP's own format) or MKV because WeChat's <video> and browsers play MP4 directly. H.264/AAC
 * from an RTMP stream go into it as they are (-c copy).
 */
export function fragmentedMp4Args(): string[] {
  return ['-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof']
}
