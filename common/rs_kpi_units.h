/*  rs_kpi_units: the unit of each KPI the prediction engine publishes in
    kpi.<well> (docs/PREDICTION.md, "KPIs"), for readers that must label
    them (the uplink's Sparkplug engUnit) without including the engine.
    Dimensionless ratios and scores are "1", counts "count". */
#ifndef RS_KPI_UNITS_H
#define RS_KPI_UNITS_H

//  The unit of KPI `name`, or NULL when the name is not a known KPI.
//  `<channel>_avg5m` and `<channel>_avg15m` take the channel's unit.
const char *rs_kpi_unit (const char *name);

#endif
