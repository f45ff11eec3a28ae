# Runs bench_rigstate --json over the given logs merged and checks the shape
# of its one JSON object: it ran, read every log, and carries the fields the
# classifier's tuning reads; with -DBLOCK_WEIGHT_SOURCE=learned, that the
# engine ended with a block weight from that source (floors on the agreement
# are asserted by bench_rigstate --assert in the other score.rigstate tests).
#   cmake -DBENCH=path/bench_rigstate -DFILES="a.xml;b.xml" [-DBLOCK_WEIGHT_SOURCE=S] -P check_json.cmake
set(args --json)
list(LENGTH FILES n_files)
foreach(f ${FILES})
  list(APPEND args --file ${f})
endforeach()
execute_process(COMMAND ${BENCH} ${args} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "bench_rigstate exited ${rc}: ${err}")
endif()
string(JSON files ERROR_VARIABLE jerr GET "${out}" files)
if(jerr)
  message(FATAL_ERROR "not one JSON object (${jerr}):\n${out}")
endif()
if(NOT files EQUAL n_files)
  message(FATAL_ERROR "files is ${files}, ${n_files} logs given")
endif()
foreach(path "labelled_min" "agreement_pct" "agreement_dated_pct" "classes" "confusion_min" "alerts;kick"
             "alerts;lost_circulation" "alerts;washout" "alerts;stuck_pipe" "channels;logs" "channels;merged;hook_load"
             "rig_channels" "rig_channels_missing" "samples" "hours")
  string(JSON value ERROR_VARIABLE jerr GET "${out}" ${path})
  if(jerr)
    message(FATAL_ERROR "no ${path} in the JSON: ${jerr}")
  endif()
endforeach()
string(JSON n_logs LENGTH "${out}" channels logs)
string(JSON labelled GET "${out}" labelled_min)
string(JSON in_slips GET "${out}" classes in_slips label_min)
if(NOT n_logs EQUAL n_files OR NOT labelled GREATER 0 OR NOT in_slips GREATER 0)
  message(FATAL_ERROR "channel report of ${n_logs} logs, ${labelled} labelled min, ${in_slips} min in slips:\n${out}")
endif()
string(JSON bw_source GET "${out}" block_weight_source)
string(JSON bw GET "${out}" block_weight_kn)
if(BLOCK_WEIGHT_SOURCE AND NOT bw_source STREQUAL BLOCK_WEIGHT_SOURCE)
  message(FATAL_ERROR "block weight ${bw} kN from ${bw_source}, expected from ${BLOCK_WEIGHT_SOURCE}")
endif()
message(STATUS "bench_rigstate --json: ${files} logs, ${labelled} labelled min, block weight ${bw} kN (${bw_source})")
