<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AlarmTableModel</name>
    <message>
        <location filename="../../console/models.py" line="582"/>
        <source>Priority</source>
        <translation>级别</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="583"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="584"/>
        <source>Value</source>
        <translation>当前值</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="585"/>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="586"/>
        <source>Raised</source>
        <translation>报警时间</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="587"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="642"/>
        <source>Cleared</source>
        <translation>已解除</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="644"/>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="645"/>
        <source>Active</source>
        <translation>报警中</translation>
    </message>
</context>
<context>
    <name>CaseTableModel</name>
    <message>
        <location filename="../../console/models.py" line="414"/>
        <source>Case</source>
        <extracomment>A vehicle whose last GPS fix is older than this is shown as stale (fixes come every 10-30 s). Emitted after a refresh, sort or filter change: counts shown beside the table may have moved. Apply changes at most this often; in between they gather (a board need not move at 20 Hz).</extracomment>
        <translation>案件号</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="415"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="416"/>
        <source>District / grid</source>
        <translation>区 / 网格</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="417"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="418"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="419"/>
        <source>Assignee</source>
        <translation>处置部门</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="420"/>
        <source>Escalations</source>
        <translation>督办</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="421"/>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="557"/>
        <source>Reported {reported} · due {deadline}</source>
        <translation>上报 {reported} · 时限 {deadline}</translation>
    </message>
</context>
<context>
    <name>Console</name>
    <message>
        <location filename="../../console/app.py" line="143"/>
        <source>Alarms</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="144"/>
        <source>Fleet</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="145"/>
        <source>Case queue</source>
        <translation>案件队列</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="146"/>
        <source>City map</source>
        <translation>城市地图</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="147"/>
        <source>Case</source>
        <translation>案件详情</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="188"/>
        <source>No screen of its own: opened as an ordinary window</source>
        <translation>无独立屏幕：以普通窗口打开</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="245"/>
        <source>The hub&apos;s city cannot be drawn; see the log</source>
        <translation>无法绘制指挥中心下发的城市数据，请查看日志</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="294"/>
        <source>Assigned %1 to %2</source>
        <translation>已将 %1 派遣至 %2</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="302"/>
        <source>Escalated %1</source>
        <translation>已督办 %1</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="315"/>
        <source>Not done: someone changed this case first (now version %1). Check it and try again.</source>
        <translation>未执行：案件已被他人先行处理（当前版本 %1），请核对后重试。</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="318"/>
        <source>Not done: this seat is read-only.</source>
        <translation>未执行：本席位为只读。</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="319"/>
        <source>Not done: %1 (%2)</source>
        <translation>未执行：%1（%2）</translation>
    </message>
</context>
<context>
    <name>HallWindow</name>
    <message>
        <location filename="../../console/app.py" line="69"/>
        <source>Urban Management Supervision Hall</source>
        <translation>数字化城市管理监督指挥中心</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="77"/>
        <source>Dispatch desk</source>
        <translation>派遣席</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="78"/>
        <source>City map</source>
        <translation>城市地图</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="79"/>
        <source>Alarms</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="80"/>
        <source>Case queue</source>
        <translation>案件队列</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="81"/>
        <source>Fleet</source>
        <translation>车队</translation>
    </message>
</context>
<context>
    <name>QtAlarmPanel</name>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="24"/>
        <source>Alarms</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="39"/>
        <source>Unacknowledged {count}</source>
        <translation>未确认 {count}</translation>
    </message>
</context>
<context>
    <name>QtCaseDetail</name>
    <message>
        <location filename="../../widgets/case_detail.py" line="77"/>
        <source>History</source>
        <translation>处置过程</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="89"/>
        <source>No case selected</source>
        <translation>未选择案件</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="127"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="128"/>
        <source>Place</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="129"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="130"/>
        <source>Reported / due</source>
        <translation>上报 / 时限</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="131"/>
        <source>Assignee</source>
        <translation>处置部门</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="132"/>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="139"/>
        <source>Note for the department (optional)</source>
        <translation>派遣意见（选填）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="140"/>
        <source>Assign</source>
        <translation>派遣</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="142"/>
        <source>Reason for escalation (required)</source>
        <translation>督办理由（必填）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="143"/>
        <source>Escalate</source>
        <translation>督办</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="184"/>
        <source>escalated {count}×</source>
        <translation>已督办 {count} 次</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="197"/>
        <source>Reported</source>
        <translation>上报</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="198"/>
        <source>Assigned</source>
        <translation>派遣</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="199"/>
        <source>Escalated</source>
        <translation>督办</translation>
    </message>
</context>
<context>
    <name>QtCaseQueue</name>
    <message>
        <location filename="../../widgets/case_queue.py" line="82"/>
        <source>Search case, category, grid, street, description</source>
        <translation>搜索案件号、类别、网格、街道、描述</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="85"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="89"/>
        <source>All lights</source>
        <translation>全部亮灯</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="91"/>
        <source>Overdue</source>
        <translation>超期（红灯）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="92"/>
        <source>Due soon</source>
        <translation>临期（黄灯）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="93"/>
        <source>In time</source>
        <translation>正常（绿灯）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="152"/>
        <source>Cases {total} · Overdue {overdue}</source>
        <translation>共 {total} 件 · 超期 {overdue}</translation>
    </message>
</context>
<context>
    <name>QtCityMap</name>
    <message>
        <location filename="../../widgets/map.py" line="192"/>
        <source>Cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="195"/>
        <source>Escalated</source>
        <translation>督办</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="199"/>
        <source>Sensors</source>
        <translation>感知设备</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="201"/>
        <source>Vehicles</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="180"/>
        <source>Overdue</source>
        <translation>超期</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="99"/>
        <source>Waiting for the city from the hub…</source>
        <translation>正在从指挥中心获取城市数据…</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="102"/>
        <source>Show all</source>
        <translation>全部显示</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="104"/>
        <source>Bring everything into view, including what lies outside the city</source>
        <translation>显示全部对象，包括位于城市范围外的</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="181"/>
        <source>Due soon</source>
        <translation>临期</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="182"/>
        <source>In time</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="185"/>
        <source>Alarm</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="186"/>
        <source>Warning</source>
        <translation>预警</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="187"/>
        <source>Normal</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="188"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="196"/>
        <source>Many (count)</source>
        <translation>聚合（数量）</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="203"/>
        <source>Idle or offline</source>
        <translation>停驶/离线</translation>
    </message>
</context>
<context>
    <name>QtFeedStatus</name>
    <message>
        <location filename="../../widgets/feed_status.py" line="36"/>
        <source>Cases</source>
        <extracomment>Data older than this is shown as stale (the wall must not show a frozen city as live).</extracomment>
        <translation>案件</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="37"/>
        <source>Alarms</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="38"/>
        <source>Sensors</source>
        <translation>感知设备</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="39"/>
        <source>Vehicles</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="45"/>
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="46"/>
        <source>Connected to %1</source>
        <translation>已连接 %1</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="47"/>
        <source>Link to %1 lost — reconnecting</source>
        <translation>与 %1 的连接中断，正在重连</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="48"/>
        <source>%1 refused this console (protocol version)</source>
        <translation>%1 拒绝了本控制台（协议版本不符）</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="58"/>
        <source>%1: waiting</source>
        <translation>%1：等待数据</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="62"/>
        <source>%1: %2 s ago</source>
        <translation>%1：%2 秒前</translation>
    </message>
    <message numerus="yes">
        <location filename="../../widgets/feed_status.py" line="68"/>
        <source>%n outside the city</source>
        <translation>
            <numerusform>城外 %n 个</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>QtHallHeader</name>
    <message numerus="yes">
        <location filename="../../widgets/hall_header.py" line="45"/>
        <source>Overdue %n</source>
        <translation>
            <numerusform>超期 %n</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../widgets/hall_header.py" line="48"/>
        <source>Alarms %1 (critical %2)</source>
        <translation>报警 %1（紧急 %2）</translation>
    </message>
    <message numerus="yes">
        <location filename="../../widgets/hall_header.py" line="54"/>
        <source>To dispatch %n</source>
        <translation>
            <numerusform>待派遣 %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../widgets/hall_header.py" line="55"/>
        <source>Escalated %n</source>
        <translation>
            <numerusform>督办 %n</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../widgets/hall_header.py" line="57"/>
        <source>Vehicles online %1/%2</source>
        <translation>在线车辆 %1/%2</translation>
    </message>
</context>
<context>
    <name>QtVehicleBoard</name>
    <message>
        <location filename="../../widgets/vehicle_board.py" line="27"/>
        <source>Vehicles</source>
        <translation>车辆</translation>
    </message>
</context>
<context>
    <name>VehicleTableModel</name>
    <message>
        <location filename="../../console/models.py" line="678"/>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="679"/>
        <source>Kind</source>
        <translation>车型</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="680"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="681"/>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="682"/>
        <source>Last fix</source>
        <translation>定位</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="742"/>
        <source>{n} s</source>
        <translation>{n} 秒</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="744"/>
        <source>{n} min</source>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="745"/>
        <source>{n} h</source>
        <translation>{n} 小时</translation>
    </message>
</context>
</TS>
