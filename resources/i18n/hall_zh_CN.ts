<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>AlarmTableModel</name>
    <message>
        <location filename="../../console/models.py" line="596" />
        <source>Priority</source>
        <translation>级别</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="597" />
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="598" />
        <source>Value</source>
        <translation>当前值</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="599" />
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="600" />
        <source>Raised</source>
        <translation>报警时间</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="601" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="656" />
        <source>Cleared</source>
        <translation>已解除</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="658" />
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="659" />
        <source>Active</source>
        <translation>报警中</translation>
    </message>
</context>
<context>
    <name>CaseTableModel</name>
    <message>
        <location filename="../../console/models.py" line="444" />
        <source>Case</source>
        <extracomment>Light codes in urgency order; the models keep lights as these int8 codes. A vehicle whose last GPS fix is older than this is shown as stale (fixes come every 10-30 s). Emitted after a refresh, sort or filter change: counts shown beside the table may have moved. Apply changes at most this often; in between they gather (a board need not move at 20 Hz).</extracomment>
        <translation>案件号</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="445" />
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="446" />
        <source>District / grid</source>
        <translation>区 / 网格</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="447" />
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="448" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="449" />
        <source>Assignee</source>
        <translation>处置部门</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="450" />
        <source>Escalations</source>
        <translation>督办</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="451" />
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="574" />
        <source>Reported {reported} · due {deadline}</source>
        <translation>上报 {reported} · 时限 {deadline}</translation>
    </message>
</context>
<context>
    <name>Console</name>
    <message>
        <location filename="../../console/app.py" line="130" />
        <source>Alarms</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="131" />
        <source>Fleet</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="132" />
        <source>Case queue</source>
        <translation>案件队列</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="133" />
        <source>City map</source>
        <translation>城市地图</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="134" />
        <source>Case</source>
        <translation>案件详情</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="175" />
        <source>No screen of its own: opened as an ordinary window</source>
        <translation>无独立屏幕：以普通窗口打开</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="264" />
        <source>Assigned %1 to %2</source>
        <translation>已将 %1 派遣至 %2</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="272" />
        <source>Escalated %1</source>
        <translation>已督办 %1</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="285" />
        <source>Not done: someone changed this case first (now version %1). Check it and try again.</source>
        <translation>未执行：案件已被他人先行处理（当前版本 %1），请核对后重试。</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="288" />
        <source>Not done: this seat is read-only.</source>
        <translation>未执行：本席位为只读。</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="289" />
        <source>Not done: %1 (%2)</source>
        <translation>未执行：%1（%2）</translation>
    </message>
</context>
<context>
    <name>HallWindow</name>
    <message>
        <location filename="../../console/app.py" line="54" />
        <location filename="../../console/app.py" line="56" />
        <source>Urban Management Supervision Hall</source>
        <translation>数字化城市管理监督指挥中心</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="70" />
        <source>Dispatch desk</source>
        <translation>派遣席</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="71" />
        <source>City map</source>
        <translation>城市地图</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="72" />
        <source>Alarms</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="73" />
        <source>Case queue</source>
        <translation>案件队列</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="74" />
        <source>Fleet</source>
        <translation>车队</translation>
    </message>
</context>
<context>
    <name>QtAlarmPanel</name>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="23" />
        <source>Alarms</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="38" />
        <source>Unacknowledged {count}</source>
        <translation>未确认 {count}</translation>
    </message>
</context>
<context>
    <name>QtCaseDetail</name>
    <message>
        <location filename="../../widgets/case_detail.py" line="76" />
        <source>History</source>
        <translation>处置过程</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="88" />
        <source>No case selected</source>
        <translation>未选择案件</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="116" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="117" />
        <source>Place</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="118" />
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="119" />
        <source>Reported / due</source>
        <translation>上报 / 时限</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="120" />
        <source>Assignee</source>
        <translation>处置部门</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="121" />
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="130" />
        <source>Note for the department (optional)</source>
        <translation>派遣意见（选填）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="131" />
        <source>Assign</source>
        <translation>派遣</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="133" />
        <source>Reason for escalation (required)</source>
        <translation>督办理由（必填）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="134" />
        <source>Escalate</source>
        <translation>督办</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="167" />
        <source>escalated {count}×</source>
        <translation>已督办 {count} 次</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="178" />
        <source>Reported</source>
        <translation>上报</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="179" />
        <source>Assigned</source>
        <translation>派遣</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="180" />
        <source>Escalated</source>
        <translation>督办</translation>
    </message>
</context>
<context>
    <name>QtCaseQueue</name>
    <message>
        <location filename="../../widgets/case_queue.py" line="81" />
        <source>Search case, category, grid, street, description</source>
        <translation>搜索案件号、类别、网格、街道、描述</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="84" />
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="88" />
        <source>All lights</source>
        <translation>全部亮灯</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="90" />
        <source>Overdue</source>
        <translation>超期（红灯）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="91" />
        <source>Due soon</source>
        <translation>临期（黄灯）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="92" />
        <source>In time</source>
        <translation>正常（绿灯）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="151" />
        <source>Cases {total} · Overdue {overdue}</source>
        <translation>共 {total} 件 · 超期 {overdue}</translation>
    </message>
</context>
<context>
    <name>QtCityMap</name>
    <message>
        <location filename="../../widgets/map.py" line="356" />
        <source>Cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="358" />
        <source>Escalated</source>
        <translation>督办</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="360" />
        <source>Sensors</source>
        <translation>感知设备</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="362" />
        <source>Vehicles</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="344" />
        <source>Overdue</source>
        <translation>超期</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="345" />
        <source>Due soon</source>
        <translation>临期</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="346" />
        <source>In time</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="349" />
        <source>Alarm</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="350" />
        <source>Warning</source>
        <translation>预警</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="351" />
        <source>Normal</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="352" />
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="364" />
        <source>Idle or offline</source>
        <translation>停驶/离线</translation>
    </message>
</context>
<context>
    <name>QtFeedStatus</name>
    <message>
        <location filename="../../widgets/feed_status.py" line="33" />
        <source>Cases</source>
        <extracomment>Data older than this is shown as stale (the wall must not show a frozen city as live).</extracomment>
        <translation>案件</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="34" />
        <source>Alarms</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="35" />
        <source>Sensors</source>
        <translation>感知设备</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="36" />
        <source>Vehicles</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="42" />
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="43" />
        <source>Connected to %1</source>
        <translation>已连接 %1</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="44" />
        <source>Link to %1 lost — reconnecting</source>
        <translation>与 %1 的连接中断，正在重连</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="45" />
        <source>%1 refused this console (protocol version)</source>
        <translation>%1 拒绝了本控制台（协议版本不符）</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="55" />
        <source>%1: waiting</source>
        <translation>%1：等待数据</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="59" />
        <source>%1: %2 s ago</source>
        <translation>%1：%2 秒前</translation>
    </message>
</context>
<context>
    <name>QtHallHeader</name>
    <message numerus="yes">
        <location filename="../../widgets/hall_header.py" line="58" />
        <source>Overdue %n</source>
        <translation><numerusform>超期 %n</numerusform></translation>
    </message>
    <message>
        <location filename="../../widgets/hall_header.py" line="61" />
        <source>Alarms %1 (critical %2)</source>
        <translation>报警 %1（紧急 %2）</translation>
    </message>
    <message numerus="yes">
        <location filename="../../widgets/hall_header.py" line="67" />
        <source>To dispatch %n</source>
        <translation><numerusform>待派遣 %n</numerusform></translation>
    </message>
    <message numerus="yes">
        <location filename="../../widgets/hall_header.py" line="68" />
        <source>Escalated %n</source>
        <translation><numerusform>督办 %n</numerusform></translation>
    </message>
    <message>
        <location filename="../../widgets/hall_header.py" line="70" />
        <source>Vehicles online %1/%2</source>
        <translation>在线车辆 %1/%2</translation>
    </message>
</context>
<context>
    <name>QtVehicleBoard</name>
    <message>
        <location filename="../../widgets/vehicle_board.py" line="34" />
        <source>Vehicles</source>
        <extracomment>Count colours: moving and working are good news, offline needs a look.</extracomment>
        <translation>车辆</translation>
    </message>
</context>
<context>
    <name>VehicleTableModel</name>
    <message>
        <location filename="../../console/models.py" line="693" />
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="694" />
        <source>Kind</source>
        <translation>车型</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="695" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="696" />
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="697" />
        <source>Last fix</source>
        <translation>定位</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="757" />
        <source>{n} s</source>
        <translation>{n} 秒</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="759" />
        <source>{n} min</source>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="760" />
        <source>{n} h</source>
        <translation>{n} 小时</translation>
    </message>
</context>
</TS>