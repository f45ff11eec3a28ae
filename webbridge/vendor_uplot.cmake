# Installs frontend/package-lock.json's packages (uPlot) with npm and copies
# uPlot's browser build into the served tree's vendor/. Run by the
# rigstream-frontend target: cmake -DNPM=... -DSRC=... -DWORK=... -DOUT=... -P.
# npm prefers its cache, so a machine that built once builds offline too; if
# npm fails (no registry, no cache) the build goes on without the charts and
# says so: the dashboard still shows readouts and alerts.
file(MAKE_DIRECTORY ${WORK} ${OUT})
file(COPY ${SRC}/package.json ${SRC}/package-lock.json DESTINATION ${WORK})
execute_process(COMMAND ${NPM} ci --prefer-offline --no-audit --no-fund --loglevel=error
                WORKING_DIRECTORY ${WORK} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
set(dist ${WORK}/node_modules/uplot/dist)
if(NOT rc EQUAL 0 OR NOT EXISTS ${dist}/uPlot.iife.min.js)
  message(WARNING "npm ci for the dashboard failed (${rc}): the page is served without charts.\n${out}")
  return()
endif()
file(COPY ${dist}/uPlot.iife.min.js ${dist}/uPlot.min.css ${WORK}/node_modules/uplot/LICENSE DESTINATION ${OUT})
