// The base of every kit component, as vant-weapp's VantComponent + `basic` behavior are of theirs:
// what all of them have, declared once. A behavior carries the runtime part (WeChat merges it into
// each component); KitComponent adds what a behavior cannot carry (external classes, options),
// registers the component with its store bindings (ComponentWithStore), and types `this` with the
// base (the bindings' own typing does not see behaviors).
//
// Every kit component gets:
// - `store-key` (property, 'default': the store on the default emedia; WXML cannot pass an object
//   with methods, hence a key) and `store()`, the store of that key;
// - `lang` (property: 'zh' | 'en'; empty: the WeChat client's language) and `t`, the words in it;
// - the `custom-class` external class, for its root element, which also carries `ck-root`: the
//   element that reads the theme tokens (common/tokens.wxss, which its WXSS imports);
// - isolated styles: a page's classes do not reach inside; CSS variables do (the theming).
import { ComponentWithStore, type IStoreBindings } from 'mobx-miniprogram-bindings'
import type { ConferenceStore } from '../../store/index'
import { textsFor, type Texts } from './i18n'
import { storeOf } from './store-fields'

type KitProperties = {
  storeKey: { type: StringConstructor; value: string }
  lang: { type: StringConstructor; value: string }
}

const kitBehavior: WechatMiniprogram.Behavior.Identifier<
  { t: Texts },
  KitProperties,
  { store(): ConferenceStore }
> = Behavior({
  properties: {
    storeKey: { type: String, value: 'default' },
    lang: { type: String, value: '' },
  },
  data: { t: textsFor('') },
  observers: {
    lang(lang: string) {
      this.setData({ t: textsFor(lang) })
    },
  },
  methods: {
    store() {
      return storeOf(this)
    },
  },
})

type Data = WechatMiniprogram.Component.DataOption
type Props = WechatMiniprogram.Component.PropertyOption
type Methods = WechatMiniprogram.Component.MethodOption
type Options<
  D extends Data,
  P extends Props,
  M extends Methods,
> = WechatMiniprogram.Component.Options<D, P, M, [typeof kitBehavior]> & {
  storeBindings?: IStoreBindings
}

export function KitComponent<D extends Data, P extends Props, M extends Methods>(
  options: Options<D, P, M>,
): string {
  return ComponentWithStore({
    ...options,
    behaviors: [kitBehavior, ...(options.behaviors ?? [])],
    externalClasses: ['custom-class', ...(options.externalClasses ?? [])],
    options: { styleIsolation: 'isolated', ...options.options },
  } as Parameters<typeof ComponentWithStore>[0])
}
