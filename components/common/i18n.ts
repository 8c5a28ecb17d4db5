// The components' words, one language at a time. `lang` ('zh' | 'en') picks one; without it the
// WeChat client's language decides (zh_CN, zh_TW, zh_HK → zh; anything else → en).

export type Lang = 'zh' | 'en'

const zh = {
  // control bar
  mute: '静音',
  unmute: '解除静音',
  micBlocked: '麦克风禁用',
  cameraOff: '停止视频',
  cameraOn: '开启视频',
  cameraBlocked: '摄像头禁用',
  members: '成员',
  chat: '聊天',
  raiseHand: '举手',
  lowerHand: '手放下',
  more: '更多',
  // top bar
  flip: '翻转摄像头',
  speakerOn: '扬声器',
  earpiece: '听筒',
  routeToEarpiece: '切换到听筒',
  routeToSpeaker: '切换到扬声器',
  leave: '离开',
  roomInfo: '会议信息',
  people: '人',
  elapsed: '会议时长',
  netGood: '网络良好',
  netFair: '网络一般',
  netPoor: '网络较差',
  // sheets
  leaveMeeting: '离开会议',
  endMeeting: '结束会议',
  leaveAsk: '确定要离开会议吗？',
  leaveAskHost: '你是主持人。离开后会议继续进行；结束会议将使所有人离开。',
  cancel: '取消',
  close: '关闭',
  meetingNumber: '会议号',
  password: '密码',
  noPassword: '无',
  copy: '复制',
  copyInvite: '复制邀请',
  share: '分享',
  inviteText: '邀请你参加会议',
  invite: '邀请',
  layout: '布局',
  layoutGrid: '宫格',
  layoutSpeaker: '演讲者',
  beauty: '美颜',
  mirror: '镜像',
  on: '开',
  off: '关',
  // stage
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
  // join screen
  joinMeeting: '加入会议',
  meeting: '会议',
  meetingPlaceholder: '会议号或房间名',
  meetingNeeded: '请输入会议号或房间名',
  passwordPlaceholder: '会议密码',
  joiningShort: '加入中…',
  yourName: '名字',
  namePlaceholder: '输入你的名字',
  nameNeeded: '请输入名字',
  micLabel: '麦克风',
  cameraLabel: '摄像头',
  speakerLabel: '扬声器',
  notAllowed: '未授权',
  // privacy
  privacyTitle: '隐私保护提示',
  privacyText: '视频会议需要使用你的摄像头和麦克风。使用前请阅读并同意：',
  privacyGuide: '《用户隐私保护指引》',
  agree: '同意',
  decline: '拒绝',
}

export type Texts = typeof zh

const en: Texts = {
  mute: 'Mute',
  unmute: 'Unmute',
  micBlocked: 'No mic',
  cameraOff: 'Stop video',
  cameraOn: 'Start video',
  cameraBlocked: 'No camera',
  members: 'People',
  chat: 'Chat',
  raiseHand: 'Raise hand',
  lowerHand: 'Lower hand',
  more: 'More',
  flip: 'Switch camera',
  speakerOn: 'Speaker',
  earpiece: 'Earpiece',
  routeToEarpiece: 'Use the earpiece',
  routeToSpeaker: 'Use the speaker',
  leave: 'Leave',
  roomInfo: 'Meeting info',
  people: 'people',
  elapsed: 'Duration',
  netGood: 'Good network',
  netFair: 'Fair network',
  netPoor: 'Poor network',
  leaveMeeting: 'Leave meeting',
  endMeeting: 'End meeting for all',
  leaveAsk: 'Leave the meeting?',
  leaveAskHost: 'You are the host. Leave, and the meeting goes on; end it, and everyone leaves.',
  cancel: 'Cancel',
  close: 'Close',
  meetingNumber: 'Meeting ID',
  password: 'Password',
  noPassword: 'None',
  copy: 'Copy',
  copyInvite: 'Copy invitation',
  share: 'Share',
  inviteText: 'You are invited to a meeting',
  invite: 'Invite',
  layout: 'Layout',
  layoutGrid: 'Grid',
  layoutSpeaker: 'Speaker',
  beauty: 'Beauty',
  mirror: 'Mirror',
  on: 'On',
  off: 'Off',
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
  joinMeeting: 'Join meeting',
  meeting: 'Meeting',
  meetingPlaceholder: 'Meeting ID or room name',
  meetingNeeded: 'Enter a meeting ID or a room name',
  passwordPlaceholder: "The meeting's password",
  joiningShort: 'Joining…',
  yourName: 'Name',
  namePlaceholder: 'Enter your name',
  nameNeeded: 'Enter your name',
  micLabel: 'Microphone',
  cameraLabel: 'Camera',
  speakerLabel: 'Speaker',
  notAllowed: 'Not allowed',
  privacyTitle: 'Your privacy',
  privacyText:
    'The meeting uses your camera and microphone. Before it does, please read and agree to:',
  privacyGuide: 'the privacy guide',
  agree: 'Agree',
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
