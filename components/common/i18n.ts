// The components' words, one language at a time. `lang` ('zh' | 'en') picks one; without it the
// WeChat client's language decides (zh_CN, zh_TW, zh_HK → zh; anything else → en).

export type Lang = 'zh' | 'en'

const zh = {
  mute: '静音',
  unmute: '解除静音',
  micBlocked: '麦克风未授权',
  cameraOff: '关摄像头',
  cameraOn: '开摄像头',
  cameraBlocked: '摄像头未授权',
  flip: '翻转',
  hangUp: '挂断',
  joining: '正在加入会议…',
  reconnecting: '网络不稳定，正在重连…',
  waiting: '等待其他成员加入',
  videoOff: '摄像头已关闭',
  notPublishing: '未发布音视频',
  permissionTitleCamera: '无法使用摄像头',
  permissionTitleMicrophone: '无法使用麦克风',
  permissionCamera: '你已拒绝摄像头权限，其他人只能听到你的声音。可在设置中开启。',
  permissionMicrophone: '你已拒绝麦克风权限，其他人听不到你的声音。可在设置中开启。',
  openSettings: '去设置',
  later: '暂不',
  prevPage: '上一页',
  nextPage: '下一页',
  // The meeting's panels and prompts (member-panel, hand-queue, chat-panel, meeting-prompts).
  role7: '主持人',
  role3: '发言人',
  role1: '观众',
  role9: '隐身',
  me: '我',
  micOff: '麦克风已关',
  allowUnmute: '允许开麦',
  stopVideo: '关视频',
  inviteToSpeak: '邀请发言',
  raiseHand: '举手',
  lowerHand: '放下手',
  muteAll: '全体静音',
  unmuteAll: '解除全体静音',
  lockRoom: '锁定会议',
  unlockRoom: '解锁会议',
  lockedNote: '会议已锁定，新成员无法加入',
  handQueue: '举手',
  noHands: '暂无举手',
  chatEmpty: '还没有消息',
  chatPlaceholder: '说点什么…',
  send: '发送',
  earlier: '查看更早的消息',
  privateTo: '私聊',
  mutedByHost: '主持人已将你静音',
  mutedMayUnmute: '主持人已将你静音，你可以自行解除',
  gotIt: '知道了',
  invitedBy: '邀请你发言',
  accept: '接受',
  decline: '拒绝',
}

export type Texts = typeof zh

const en: Texts = {
  mute: 'Mute',
  unmute: 'Unmute',
  micBlocked: 'No mic access',
  cameraOff: 'Stop video',
  cameraOn: 'Start video',
  cameraBlocked: 'No camera access',
  flip: 'Flip',
  hangUp: 'Leave',
  joining: 'Joining the meeting…',
  reconnecting: 'Connection lost, reconnecting…',
  waiting: 'Waiting for others to join',
  videoOff: 'Camera off',
  notPublishing: 'Not sending media',
  permissionTitleCamera: 'Camera not allowed',
  permissionTitleMicrophone: 'Microphone not allowed',
  permissionCamera: 'Others can only hear you. Allow the camera in Settings to be seen.',
  permissionMicrophone: 'Others cannot hear you. Allow the microphone in Settings.',
  openSettings: 'Open Settings',
  later: 'Not now',
  prevPage: 'Previous page',
  nextPage: 'Next page',
  role7: 'Host',
  role3: 'Speaker',
  role1: 'Audience',
  role9: 'Hidden',
  me: 'me',
  micOff: 'Mic off',
  allowUnmute: 'Allow unmute',
  stopVideo: 'Stop video',
  inviteToSpeak: 'Invite to speak',
  raiseHand: 'Raise hand',
  lowerHand: 'Lower hand',
  muteAll: 'Mute all',
  unmuteAll: 'Unmute all',
  lockRoom: 'Lock meeting',
  unlockRoom: 'Unlock meeting',
  lockedNote: 'The meeting is locked: nobody new can join',
  handQueue: 'Raised hands',
  noHands: 'No raised hands',
  chatEmpty: 'No messages yet',
  chatPlaceholder: 'Say something…',
  send: 'Send',
  earlier: 'Earlier messages',
  privateTo: 'Private',
  mutedByHost: 'The host muted you',
  mutedMayUnmute: 'The host muted you; you may unmute yourself',
  gotIt: 'OK',
  invitedBy: 'invites you to speak',
  accept: 'Accept',
  decline: 'Decline',
}

/** The client's language (getAppBaseInfo where the base library has it). */
export function clientLang(): Lang {
  let language = ''
  try {
    language = wx.getAppBaseInfo ? wx.getAppBaseInfo().language : wx.getSystemInfoSync().language
  } catch {
    // Not in a WeChat client (tests, tools): English.
  }
  return /^zh/i.test(language || '') ? 'zh' : 'en'
}

export function resolveLang(lang: string): Lang {
  return lang === 'zh' || lang === 'en' ? lang : clientLang()
}

export function textsFor(lang: string): Texts {
  return resolveLang(lang) === 'zh' ? zh : en
}
