// The demo's words, one language at a time: the WeChat client's (zh_CN, zh_TW, zh_HK → 中文;
// anything else → English). The kit's components are given the same `lang`.
const WORDS = {
  zh: {
    appName: '会议',
    settings: '设置',
    noServer: '还没有服务器地址。先在设置里填写，例如 wss://meet.example.com/ws。',
    openSettings: '去设置',
    join: '加入会议',
    server: '服务器地址',
    serverHint:
      '你的会议服务器，例如 wss://meet.example.com/ws；局域网调试时为 ws://电脑的 IP:8080/ws',
    quality: '视频清晰度',
    qualities: ['流畅', '标准', '高清'],
    qualityHint: '网络一般或人数较多时选“流畅”，手机更凉快。',
    layout: '默认布局',
    layouts: ['宫格', '演讲者'],
    beauty: '美颜',
    beauties: ['关', '轻', '中', '强'],
    appearance: '外观',
    appearances: ['跟随系统', '深色', '浅色'],
    left: '已离开会议',
    cannotJoin: '无法加入',
    serverUnreachable: '连不上服务器。请检查设置里的服务器地址和网络。',
    wrongPassword: '密码不对，请重新输入。',
    noSuchMeeting: '没有这个会议，或会议已经结束。',
    meetingFull: '会议人数已满。',
    notAllowed: '没有加入这个会议的权限。',
    removed: '你已被移出会议。',
    otherDevice: '你在另一台设备上加入了这个会议。',
    ended: '会议已结束。',
    networkLost: '网络中断，已离开会议。',
    failed: '出了点问题，已离开会议。',
    invite: '邀请你加入会议',
    invited: '你收到了这个会议的邀请，无需密码，直接加入。',
    inviteExpired: '这个邀请已过期。请向邀请你的人要一张新的卡片，或用会议号加入。',
    inviteInvalid: '这个邀请不能用来加入会议。请向邀请你的人要一张新的卡片，或用会议号加入。',
    meetingLocked: '会议已锁定，暂时不能加入。',
  },
  en: {
    appName: 'Meeting',
    settings: 'Settings',
    noServer: 'No server yet. Set it in Settings first, e.g. wss://meet.example.com/ws.',
    openSettings: 'Open Settings',
    join: 'Join meeting',
    server: 'Server',
    serverHint:
      'Your meeting server, e.g. wss://meet.example.com/ws; on a LAN, ws://<computer IP>:8080/ws',
    quality: 'Video quality',
    qualities: ['Smooth', 'Standard', 'HD'],
    qualityHint: 'Choose Smooth on a weak network or in a big meeting: the phone stays cooler.',
    layout: 'Layout',
    layouts: ['Grid', 'Speaker'],
    beauty: 'Beauty',
    beauties: ['Off', 'Light', 'Medium', 'Strong'],
    appearance: 'Appearance',
    appearances: ['Like the system', 'Dark', 'Light'],
    left: 'You left the meeting',
    cannotJoin: 'Cannot join',
    serverUnreachable: 'Cannot reach the server. Check its address in Settings, and the network.',
    wrongPassword: 'Wrong password. Enter it again.',
    noSuchMeeting: 'No such meeting, or it has ended.',
    meetingFull: 'The meeting is full.',
    notAllowed: 'You may not join this meeting.',
    removed: 'You were removed from the meeting.',
    otherDevice: 'You joined this meeting on another device.',
    ended: 'The meeting has ended.',
    networkLost: 'The network was lost; you left the meeting.',
    failed: 'Something went wrong; you left the meeting.',
    invite: 'Join my meeting',
    invited: 'You are invited to this meeting: join straight in, no password needed.',
    inviteExpired:
      'This invitation has expired. Ask whoever invited you for a new card, or join with the meeting ID.',
    inviteInvalid:
      'This invitation cannot be used to join. Ask whoever invited you for a new card, or join with the meeting ID.',
    meetingLocked: 'The meeting is locked: nobody can join for now.',
  },
}

function lang() {
  let language = ''
  try {
    language = wx.getAppBaseInfo ? wx.getAppBaseInfo().language : wx.getSystemInfoSync().language
  } catch (e) {
    // Not in WeChat: English.
  }
  return /^zh/i.test(language || '') ? 'zh' : 'en'
}

function words() {
  return WORDS[lang()]
}

module.exports = { lang, words }
