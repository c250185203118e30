import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The dev server proxies the API to a running backend:
//   DANGJIAO_API=http://127.0.0.1:8080 npm run dev
const api = process.env.DANGJIAO_API ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [
    vue(),
    // Element Plus components and their styles are imported where used.
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
  ],
  server: {
    proxy: {
      '/api': api,
      '/verify': { target: api, bypass: (req) => (req.headers.accept?.includes('text/html') ? req.url : undefined) },
    },
  },
  build: {
    target: 'es2020',
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [{ name: 'ui-core', test: /node_modules[\\/](element-plus[\\/]es[\\/](utils|hooks|constants|directives|locale|make-installer)|@element-plus|@vue|lodash-es|lodash-unified|@floating-ui|@ctrl|@popperjs|@vueuse|async-validator|memoize-one|normalize-wheel-es|dayjs)[\\/]/ }],
        },
      },
    },
  },
})
