// The pages' words in Chinese and English (Chinese first, like the components). ?lang=en|zh,
// else the browser's language.
const words = {
  zh: {
    title: '网页参会',
    room: '房间名',
    nick: '昵称',
    token: '令牌（可选，开发模式下留空）',
    join: '加入',
    leave: '离开',
    micOff: '静音',
    micOn: '取消静音',
    camOff: '关闭摄像头',
    camOn: '打开摄像头',
    shareOn: '共享屏幕',
    shareOff: '停止共享',
    me: '我',
    joining: '正在加入…',
    joined: '已加入',
    exited: '已离开会议',
    noFlv: '此媒体引擎不提供 HTTP-FLV，网页无法播放',
    failed: '失败',
    voff: '摄像头已关',
    aoff: '已静音',
    consoleTitle: '运维控制台',
    adminSecret: '管理密钥',
    signIn: '登录',
    signOut: '退出登录',
    wrongSecret: '密钥错误',
    conferences: '会议',
    members: '成员',
    streams: '流',
    wall: '视频墙',
    kick: '踢出',
    grant: '设角色',
    destroy: '解散',
    recordings: '录制文件',
    health: '服务器状态',
    role: '角色',
    device: '设备',
    state: '连接',
    connected: '在线',
    resuming: '重连中',
    raiseHand: '举手',
    lowerHand: '放下手',
    chat: '聊天',
    send: '发送',
    mutedByHost: '主持人已将你静音',
    mutedMayUnmute: '主持人已将你静音，你可以自行取消',
    invited: '邀请你发言：',
    accept: '接受',
    decline: '拒绝',
    micLive: '麦克风开',
    notPublishing: '未发布',
    hand: '举手',
    held: '主持人静音',
    hostMute: '静音',
    release: '允许开麦',
    locked: '已锁定',
    muteAllOn: '全员静音',
  },
  en: {
    title: 'Join from the web',
    room: 'Room name',
    nick: 'Nickname',
    token: 'Token (optional; empty in development mode)',
    join: 'Join',
    leave: 'Leave',
    micOff: 'Mute',
    micOn: 'Unmute',
    camOff: 'Camera off',
    camOn: 'Camera on',
    shareOn: 'Share screen',
    shareOff: 'Stop sharing',
    me: 'me',
    joining: 'Joining…',
    joined: 'Joined',
    exited: 'Left the conference',
    noFlv: 'This media engine serves no HTTP-FLV: the page cannot play it',
    failed: 'failed',
    voff: 'camera off',
    aoff: 'muted',
    consoleTitle: 'Operator console',
    adminSecret: 'Admin secret',
    signIn: 'Sign in',
    signOut: 'Sign out',
    wrongSecret: 'Wrong secret',
    conferences: 'Conferences',
    members: 'Members',
    streams: 'Streams',
    wall: 'Video wall',
    kick: 'Kick',
    grant: 'Set role',
    destroy: 'Destroy',
    recordings: 'Recordings',
    health: 'Server health',
    role: 'Role',
    device: 'Device',
    state: 'Connection',
    connected: 'connected',
    resuming: 'resuming',
    raiseHand: 'Raise hand',
    lowerHand: 'Lower hand',
    chat: 'Chat',
    send: 'Send',
    mutedByHost: 'The host muted you',
    mutedMayUnmute: 'The host muted you; you may unmute yourself',
    invited: 'You are invited to speak by',
    accept: 'Accept',
    decline: 'Decline',
    micLive: 'mic on',
    notPublishing: 'not publishing',
    hand: 'Hand',
    held: 'Held by host',
    hostMute: 'Mute',
    release: 'Let unmute',
    locked: 'locked',
    muteAllOn: 'everyone muted',
  },
}

export type Word = keyof (typeof words)['zh']

function pickLang(): 'zh' | 'en' {
  const asked = new URLSearchParams(location.search).get('lang')
  if (asked === 'zh' || asked === 'en') return asked
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en'
}

export const lang = pickLang()

export function t(word: Word): string {
  return words[lang][word]
}

/** Fills every [data-i18n] element's text (and [data-i18n-placeholder]) in the page. */
export function translatePage(): void {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]'))
    el.textContent = t(el.dataset.i18n as Word)
  for (const el of document.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]'))
    el.placeholder = t(el.dataset.i18nPlaceholder as Word)
}
